"""Domain core: policy, schema, ID numbers, values, roster records, findings, rules, money. No Excel library, no printing."""
