"""The Excel engine: a roster is declared as columns; the engine reads, validates, reports and writes.

- ``columns``: Column, Sheet, Roster (what an app declares in its ``rosters.py``)
- ``parsers``: Text, Enum, MultiEnum, Names, Integer, Amount, Date, Bool, IdNumber
- ``reader``: WorkbookReader (.xlsx, .xls, .ods by python-calamine; bad files, limits), WorkbookRejected
- ``engine``: read_sheet (header matching, cell parsing) → SheetData
- ``errors``: Errors (sheet, row, column, message)
- ``writers``: write_template, write_roster (the one export), write_error_workbook
"""
