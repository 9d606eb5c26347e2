"""Cells bound for spreadsheets: text that a spreadsheet would run as a formula is neutralised."""

from __future__ import annotations

#: first characters that make Excel, LibreOffice or Google Sheets read a cell as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """OWASP's rule for CSV injection: a cell that starts like a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_START) else value
