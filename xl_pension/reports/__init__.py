"""Reports built from checked rosters: village results, township summary, county merge, notices, remittance lists, county-list placement."""
