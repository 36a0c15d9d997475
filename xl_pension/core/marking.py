"""How findings are marked in a workbook, shared by ``validate --annotate`` and the ribbon macros.

Both front ends use the same colours, note text, result sheet and hidden marks sheet, so either
one undoes the other's marks on a re-run.
"""

from __future__ import annotations

from .findings import Severity

RESULT_SHEET = "校验结果"
MARKS_SHEET = "_xlp_marks"  # hidden: each marked cell's original fill and note
NOTE_AUTHOR = "xl_pension 校验"
NOTE_SEPARATOR = "\n—— 校验 ——\n"
ERROR_FILL = "FFFF9999"
WARNING_FILL = "FFFFEB9C"
LEVEL = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.UNUSABLE: "无法使用"}
RESULT_HINT = "点击“单元格”列可跳到出错位置；改正后请重新校验。红色为错误，黄色为警告。"
RESULT_HEAD = ("序号", "级别", "代码", "行", "列", "单元格", "内容", "说明")
# In the author column of the marks sheet: the cell's note was not touched (an engine that
# cannot read note text left it alone), so an undo leaves the note alone too.
KEEP_NOTE = "xl_pension:keep-note"
# Header row of the marks sheet: one row a marked cell, its original fill (openpyxl PatternFill
# XML) and note (text and author).
MARKS_HEAD = ("sheet", "cell", "fill", "note", "author")
