"""Reading one participating-agencies sheet: finding the header, cleaning cells, parsing
signed dates and MOA links, and skipping rows that are not agreements."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from urllib.parse import parse_qs, urlsplit

from geodata.ice287g.sources import _date_or_none, sheet_date_from_name


class SheetError(Exception):
    """A sheet exists but cannot be read; the message names it."""


def clean_cell(value: object) -> str:
    """A cell as tidy text: spaces collapsed, typographic apostrophes made plain, #N/A empty."""
    if value is None:
        return ""
    text = str(value).replace("\u00a0", " ").replace("\u2019", "'").replace("\u2018", "'")
    text = " ".join(text.split())
    return "" if text.upper() in {"#N/A", "N/A", "#NA", "NA", "#REF!", "#VALUE!", "-"} else text


@dataclass(frozen=True)
class SheetRow:
    line: int
    state_text: str
    agency: str
    agency_type: str
    county_cell: str
    support_type: str
    signed: dt.date | None
    signed_text: str
    moa_url: str


@dataclass(frozen=True)
class Sheet:
    name: str
    day: dt.date
    rows: tuple[SheetRow, ...]
    #: rows with content that are not agreements, with why
    skipped: tuple[str, ...] = ()


#: field -> the header texts ICE has used (or plausibly will) for it
HEADERS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "state": ("STATE",),
        "agency": ("LAW ENFORCEMENT AGENCY", "AGENCY", "AGENCY NAME"),
        "agency_type": ("TYPE", "AGENCY TYPE"),
        "county": ("COUNTY",),
        "support_type": ("SUPPORT TYPE", "MODEL", "SUPPORT MODEL"),
        "signed": ("SIGNED", "DATE SIGNED", "SIGNED DATE", "MOA SIGNED"),
        "moa": ("MOA", "MOA LINK"),
    }
)
REQUIRED_HEADERS = ("state", "agency", "support_type", "signed")
HEADER_SEARCH_ROWS = 30


def header_columns(cells: Sequence[object]) -> dict[str, int]:
    texts = [clean_cell(c).upper().rstrip(":*").strip() for c in cells]
    found: dict[str, int] = {}
    for name, aliases in HEADERS.items():
        for index, text in enumerate(texts):
            if text in aliases:
                found[name] = index
                break
    return found


def find_header(rows: Sequence[Sequence[object]]) -> tuple[int, dict[str, int]]:
    """Index of the header row and the column of each field; the header may sit below a title."""
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns = header_columns(cells)
        if all(name in columns for name in REQUIRED_HEADERS):
            return index, columns
    wanted = ", ".join(HEADERS[name][0] for name in REQUIRED_HEADERS)
    raise SheetError(f"no header row with {wanted} in its first {HEADER_SEARCH_ROWS} rows")


def parse_signed(value: object) -> dt.date | None:
    """A signed date from an Excel date, an Excel serial number, or text as typed at ICE."""
    if isinstance(value, dt.date):  # datetimes too; Excel dates with a mistyped year (5025) fail
        return plausible(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(value)
    return parse_date_text(clean_cell(value))


def _excel_serial(value: float) -> dt.date | None:
    from openpyxl.utils.datetime import from_excel

    try:
        day = from_excel(value)
    except (ValueError, OverflowError, TypeError):
        return None
    return plausible(day) if isinstance(day, dt.datetime) else None


def parse_date_text(text: str) -> dt.date | None:
    """ISO, M/D/YYYY, M/D/YY, and ICE's slips such as '05/082025' and '7/72025'."""
    if not text:
        return None
    try:
        return plausible(dt.date.fromisoformat(text[:10]))
    except ValueError:
        pass
    # The second separator is optional because ICE's sheets drop it ('05/082025').
    found = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-]?(\d{4}|\d{2})", text)
    if found:
        year = int(found[3]) + (2000 if len(found[3]) == 2 else 0)
        return _date_or_none(year, int(found[1]), int(found[2]))
    for pattern in ("%B %d, %Y", "%b %d, %Y", "%d %B %Y"):
        try:
            return plausible(dt.datetime.strptime(text, pattern).date())
        except ValueError:
            continue
    return None


def plausible(day: dt.date) -> dt.date | None:
    return _date_or_none(day.year, day.month, day.day)


def real_link(url: str) -> str:
    """An MOA link with Outlook's "safelinks" wrapper taken off; '' unless it is http(s)."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.hostname and parts.hostname.endswith("safelinks.protection.outlook.com"):
        url = parse_qs(parts.query).get("url", [""])[0]
    return url if url.startswith(("https://", "http://")) and not any(c.isspace() for c in url) else ""


def cell_link(cell: object) -> str:
    """The MOA cell's link: its hyperlink, or its text when that is a URL ("link pending" is none)."""
    hyperlink = getattr(cell, "hyperlink", None)
    target = getattr(hyperlink, "target", None) if hyperlink is not None else None
    return real_link(target or clean_cell(getattr(cell, "value", None)))


def sheet_row(line: int, cells: Sequence[object], columns: dict[str, int]) -> SheetRow:
    def value(name: str) -> object:
        index = columns.get(name)
        return getattr(cells[index], "value", None) if index is not None and index < len(cells) else None

    moa_index = columns.get("moa")
    signed = value("signed")
    return SheetRow(
        line=line,
        state_text=clean_cell(value("state")),
        agency=clean_cell(value("agency")),
        agency_type=clean_cell(value("agency_type")),
        county_cell=clean_cell(value("county")),
        support_type=clean_cell(value("support_type")),
        signed=parse_signed(signed),
        signed_text=signed.date().isoformat() if isinstance(signed, dt.datetime) else clean_cell(signed),
        moa_url=cell_link(cells[moa_index]) if moa_index is not None and moa_index < len(cells) else "",
    )


def is_blank(row: SheetRow) -> bool:
    return not any((row.state_text, row.agency, row.agency_type, row.county_cell, row.support_type,
                    row.signed_text))


def is_repeated_header(row: SheetRow) -> bool:
    return row.state_text.upper() == "STATE" and row.agency.upper() in HEADERS["agency"]


def load_worksheets(path: Path) -> list[list[tuple[object, ...]]]:
    """Every worksheet's rows of cells; raises SheetError naming the file when it is unreadable."""
    # Imported here: the dataset loads this module on every app start, but rarely reads sheets.
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about Excel features it ignores
            # Not read-only: the MOA links are hyperlinks, which read-only mode does not load.
            book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean "unreadable"
        raise SheetError(f"{path.name}: not a readable xlsx workbook ({type(exc).__name__}: {exc})") from exc
    try:
        return [[tuple(r) for r in sheet.iter_rows()] for sheet in book.worksheets]
    finally:
        book.close()


def agency_table(path: Path) -> tuple[list[tuple[object, ...]], int, dict[str, int]]:
    """The rows of the first worksheet with an agencies header, the header's index and its columns."""
    problem = SheetError("the workbook has no worksheet")
    for rows in load_worksheets(path):
        try:
            return rows, *find_header([[getattr(c, "value", None) for c in r] for r in rows])
        except SheetError as exc:
            problem = exc
    raise SheetError(f"{path.name}: {problem}")


def read_sheet(path: Path, day: dt.date | None = None) -> Sheet:
    """Parse one participating-agencies sheet; raises SheetError naming the file when unreadable."""
    rows, header_index, columns = agency_table(path)
    parsed: list[SheetRow] = []
    skipped: list[str] = []
    for offset, cells in enumerate(rows[header_index + 1:], start=header_index + 2):
        row = sheet_row(offset, cells, columns)
        if is_blank(row) or is_repeated_header(row):
            continue
        if not row.agency:
            content = "; ".join(t for t in (row.state_text, row.county_cell, row.support_type) if t)
            skipped.append(f"{path.name} row {offset}: no agency name ({content or 'other columns only'})")
            continue
        parsed.append(row)
    return Sheet(path.name, day or sheet_day(path), tuple(parsed), tuple(skipped))


def sheet_day(path: Path) -> dt.date:
    """The date in the file name, else the file's modification (for downloads: download) date."""
    return sheet_date_from_name(path.name) or dt.date.fromtimestamp(path.stat().st_mtime)
