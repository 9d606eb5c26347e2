"""ICE's 287(g) participating-agencies sheets, turned into dated, sourced agreement records.

Source (`Settings.ice_287g_source`, env GEODATA_ICE287G_SOURCE)
    * an https page (default: ICE's 287(g) page): the participating-agencies .xlsx linked
      from it is downloaded into `<cache_dir>/ice-287g/`, and every sheet kept there from
      earlier builds is read too, so the history grows with each build;
    * an https URL of an .xlsx sheet: downloaded the same way;
    * a local .xlsx file: that one sheet;
    * a local directory: every *.xlsx in it.
    ICE replaces its sheet with each update, so a sheet's date is the one in its file name
    (participatingAgencies05192025pm.xlsx -> 2025-05-19). A sheet without one is dated by its
    download (a downloaded copy is renamed to carry that date) or, for a local file, by its
    modification date. If the download fails, the build fails and the cache is left as it was.

One agreement
    The same state + agency (compared after normalising case, spaces and punctuation) +
    support model(s) + signed date, wherever it appears. Its fields come from the latest
    sheet that lists it. An agreement that is missing from a later sheet has ended: we
    record `ended` as the date of the first later sheet that lacks it. It ended on or before
    that date; we use the sheet date, since ICE publishes no termination dates. Agreements
    on the latest sheet are open, even if an earlier sheet skipped them.
    ICE also corrects agency names between sheets; a name that changes only in wording or
    spelling, with state, model and signed date unchanged, stays one agreement (see
    `merge_sheets`). The id, 287g-<state>-<agency>-<model>-<signed>, follows the latest name.

The governed jurisdiction (`geoid`), in this order
    1. a county named in the agency ("Escambia County Board of County Commissioners");
       in Virginia an "X County" that is really the independent city X gets that city;
    2. a sheriff: the county named before "Sheriff", else the sheet's COUNTY cell;
    3. a municipal department (police, public safety, constable, marshal): the
       incorporated Census place of that name in the state (places from the Census
       cartographic boundary zip of the state, attributes only). Townships and New England
       towns are not Census places;
    4. a state agency (TYPE "State Agency", or a name that starts with the state's name):
       the state;
    5. a county-typed agency whose name starts with a county's name ("Miami Dade
       Corrections"): that county;
    6. otherwise the county in the sheet's COUNTY cell, flagged approximate.
    Campuses, ports and airports, jail districts, regional and metro bodies and constables'
    wards get the smallest unit known to hold them (a place they are named for, else the
    COUNTY cell, else, for state bodies, the state) and are flagged approximate. Misspelt
    county names are corrected only to a single close match, and the basis says so.
    Nothing is dropped: an agreement with no match, an unknown model, or a signed date that is
    missing, unreadable or later than the sheet listing it is in the exceptions file with the
    reason, and does not become a Measure.

Cache (git-ignored; both files are replaced whole or not at all)
    <cache_dir>/agreements_287g.csv             every agreement, geoid empty when unmatched
    <cache_dir>/agreements_287g_exceptions.csv  the agreements that need a person's look
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import os
import re
import unicodedata
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import geopandas as gpd
import requests

from geodata.boundaries import Jurisdiction, normalize_name, states_and_counties
from geodata.config import ICE_287G_PAGE, Settings
from geodata.download import FetchError, fetch
from geodata.fips import ABBREVIATIONS, STATES, state_fips
from geodata.history import month_starts
from geodata.places import census_file_name
from geodata.tables import Measure

AGREEMENTS_FILE = "agreements_287g.csv"
EXCEPTIONS_FILE = "agreements_287g_exceptions.csv"
SHEETS_DIR = "ice-287g"
CENSUS_DIR = "census"
HOW_TO_GET = (
    "set GEODATA_ICE287G_SOURCE to ICE's participating-agencies .xlsx sheet (linked from "
    f"{ICE_287G_PAGE}) or to a directory of such sheets, then run `python -m geodata build`"
)
NOT_BUILT = (
    "287(g) agreements: layer not built. Build it with `python -m geodata build`, which fetches"
    " ICE's current sheet; set GEODATA_ICE287G_SOURCE to a sheet or a directory of sheets when"
    " ICE's page is unreachable."
)
PAGE_TIMEOUT = 30.0

#: provision tag -> (label on ICE's sheet, short code for ids, pattern that finds it in a cell)
MODELS: MappingProxyType[str, tuple[str, str, re.Pattern[str]]] = MappingProxyType(
    {
        "jail_enforcement_model": ("Jail Enforcement Model", "jem", re.compile(r"\bjail\b|\bjem\b")),
        "task_force_model": ("Task Force Model", "tfm", re.compile(r"\btask ?force\b|\btfm\b")),
        "warrant_service_officer": ("Warrant Service Officer", "wso", re.compile(r"\bwarrant\b|\bwso\b")),
    }
)

AGREEMENT_COLUMNS = (
    "agreement_id", "state", "agency", "agency_type", "county_cell", "support_type", "models",
    "signed", "moa_url", "seen_on", "ended", "also_listed_as", "geoid", "jurisdiction", "match_kind",
    "approximate", "match_basis", "problems",
)
EXCEPTION_COLUMNS = (
    "agreement_id", "state", "agency", "agency_type", "county_cell", "support_type", "signed",
    "seen_on", "reason",
)


class SourceError(Exception):
    """No sheet could be had from the configured source."""


class SheetError(Exception):
    """A sheet exists but cannot be read; the message names it."""


class CensusError(Exception):
    """A Census place file needed for matching could not be fetched or read."""


class CacheError(Exception):
    """The agreements cache exists but is not in the expected shape."""


# --------------------------------------------------------------------------- text


def clean_cell(value: object) -> str:
    """A cell as tidy text: spaces collapsed, typographic apostrophes made plain, #N/A empty."""
    if value is None:
        return ""
    text = str(value).replace("\u00a0", " ").replace("\u2019", "'").replace("\u2018", "'")
    text = " ".join(text.split())
    return "" if text.upper() in {"#N/A", "N/A", "#NA", "NA", "#REF!", "#VALUE!", "-"} else text


_WORD_EXPANSIONS = MappingProxyType(
    {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort", "twp": "township"}
)


def words_of(text: str) -> tuple[str, ...]:
    """Lower-case ASCII words; apostrophes vanish so "Sheriff's" and "Sheriff’s" agree."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'")).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", " ", text.lower().replace("'", ""))
    return tuple(_WORD_EXPANSIONS.get(word, word) for word in text.split())


def slug(text: str) -> str:
    return "-".join(words_of(text))


def county_key(text: str) -> str:
    """How a county name is compared: kind words ("County", "Parish") and spacing ignored."""
    return "".join(words_of(normalize_name(text)))


def place_key(words: Iterable[str]) -> str:
    return "".join(words)


# --------------------------------------------------------------------------- source


def is_remote(source: str) -> bool:
    return source.startswith(("https://", "http://"))


def sheet_date_from_name(name: str) -> dt.date | None:
    """The date in ICE's file names (MMDDYYYY), or an ISO date we put there ourselves."""
    iso = re.search(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)", name)
    if iso:
        return _date_or_none(int(iso[1]), int(iso[2]), int(iso[3]))
    for run in re.findall(r"(?<!\d)\d{8}(?!\d)", name):
        day = _date_or_none(int(run[4:]), int(run[:2]), int(run[2:4]))
        day = day or _date_or_none(int(run[:4]), int(run[4:6]), int(run[6:]))
        if day:
            return day
    return None


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    if not 1996 <= year <= 2100:  # 287(g) dates from 1996; anything else is a misreading
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def sheets_in(directory: Path) -> list[Path]:
    # Dot files are our own partial downloads; "~$" files are Excel's lock files.
    return sorted(
        p for p in directory.glob("*.xlsx") if p.is_file() and not p.name.startswith((".", "~$"))
    )


def sheet_link(page_html: str, page_url: str) -> str:
    """The participating-agencies .xlsx linked from ICE's 287(g) page (the newest if several)."""
    hrefs = re.findall(r'href\s*=\s*["\']([^"\']+?\.xlsx)', page_html, re.IGNORECASE)
    links = [urljoin(page_url, unquote(href)) for href in hrefs]
    if not links:
        raise SourceError(f"no .xlsx link on {page_url}")
    preferred = [link for link in links if "participatingagencies" in link.lower()] or links
    return max(preferred, key=lambda link: sheet_date_from_name(link) or dt.date.min)


def sheet_url(source: str) -> str:
    if urlsplit(source).path.lower().endswith(".xlsx"):
        return source
    try:
        response = requests.get(source, timeout=PAGE_TIMEOUT, headers={"User-Agent": "cooperation-map"})
    except requests.RequestException as exc:
        raise SourceError(f"cannot reach {source} ({type(exc).__name__}: {exc})") from exc
    if response.status_code != 200:
        raise SourceError(f"HTTP {response.status_code} from {source}")
    return sheet_link(response.text, source)


def download_sheet(source: str, sheets_dir: Path, today: dt.date) -> Path:
    """Fetch the current sheet into `sheets_dir`, named so that its date survives."""
    url = sheet_url(source)
    base, _, name = urlsplit(url)._replace(query="", fragment="").geturl().rpartition("/")
    try:
        path = fetch(unquote(name), base, sheets_dir)
    except FetchError as exc:
        raise SourceError(f"cannot download the sheet: {exc}") from exc
    return path if sheet_date_from_name(path.name) else keep_dated_copy(path, today)


def keep_dated_copy(path: Path, today: dt.date) -> Path:
    """Rename an undated download to carry today's date, unless an identical sheet is kept already."""
    data = path.read_bytes()
    for other in sheets_in(path.parent):
        if other != path and other.read_bytes() == data:
            path.unlink()
            return other
    dated = path.with_name(f"{path.stem}-{today.isoformat()}{path.suffix}")
    path.replace(dated)
    return dated


def sheet_paths(settings: Settings, today: dt.date | None = None) -> list[Path]:
    """Every sheet to read (merging orders them by date); raises SourceError when there is none."""
    source = settings.ice_287g_source.strip()
    if not source:
        raise SourceError("no source is configured")
    if is_remote(source):
        sheets_dir = settings.cache_dir / SHEETS_DIR
        download_sheet(source, sheets_dir, today or dt.date.today())
        return sheets_in(sheets_dir)
    path = Path(source).expanduser()
    if path.is_dir():
        found = sheets_in(path)
        if not found:
            raise SourceError(f"{path} holds no .xlsx sheet")
        return found
    if path.is_file():
        return [path]
    raise SourceError(f"{path} does not exist")


# --------------------------------------------------------------------------- one sheet


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


# --------------------------------------------------------------------------- agreements


@dataclass(frozen=True)
class Agreement:
    agreement_id: str
    #: state FIPS; '' when the sheet's state is not a state or DC
    state: str
    agency: str
    agency_type: str
    county_cell: str
    support_type: str
    #: provision tags of the support model(s): jail_enforcement_model, ...
    models: tuple[str, ...]
    signed: dt.date | None
    moa_url: str
    #: dates of the sheets that list it
    seen_on: tuple[dt.date, ...]
    #: date of the first later sheet that no longer lists it; None while on the latest sheet
    ended: dt.date | None
    #: other names the agency had on earlier sheets
    also_listed_as: tuple[str, ...] = ()
    geoid: str | None = None
    jurisdiction: str = ""
    #: 'county', 'place' or 'state'; '' when unmatched
    match_kind: str = ""
    approximate: bool = False
    #: how the jurisdiction was found, or why it was not
    match_basis: str = ""
    #: why this agreement is on the exceptions list (empty: it is not)
    problems: tuple[str, ...] = ()

    @property
    def matched(self) -> bool:
        return self.geoid is not None

    def in_force(self, day: dt.date) -> bool:
        return self.signed is not None and self.signed <= day and (self.ended is None or day < self.ended)

    @property
    def model_labels(self) -> str:
        return " + ".join(MODELS[m][0] for m in self.models) or self.support_type or "unknown model"


#: (state FIPS or state text, agency slug, model tags, signed date or 'undated-...')
Key = tuple[str, str, tuple[str, ...], str]


def models_in(support_type: str) -> tuple[str, ...]:
    text = support_type.lower()
    return tuple(tag for tag, (_, _, pattern) in MODELS.items() if pattern.search(text))


def identity(row: SheetRow) -> Key:
    """What makes two sheet rows the same agreement: state, agency, model(s), signed date."""
    state = state_fips(row.state_text) or slug(row.state_text)
    models = models_in(row.support_type) or (slug(row.support_type),)
    signed = row.signed.isoformat() if row.signed else f"undated-{slug(row.signed_text)}"
    return state, slug(row.agency), models, signed


def agreement_id(key: Key) -> str:
    state, agency, models, signed = key
    state_part = ABBREVIATIONS.get(state, state or "xx").lower()
    model_part = "-".join(MODELS[m][1] if m in MODELS else (m or "unknown") for m in models)
    parts = ("287g", state_part, agency or "unnamed", model_part, signed)
    return "-".join(part.strip("-") for part in parts if part.strip("-"))


def with_known_link(latest: SheetRow, earlier: SheetRow | None) -> SheetRow:
    # A later sheet sometimes shows "link pending" where an earlier one had the MOA.
    if earlier is not None and not latest.moa_url and earlier.moa_url:
        return replace(latest, moa_url=earlier.moa_url)
    return latest


#: words that vary between sheets for one agency ("City of X Police Department", "X Police
#: Services Department"); what is left names the agency itself
_GENERIC_AGENCY_WORDS = frozenset(
    {
        "city", "town", "village", "borough", "of", "the", "and", "police", "department", "dept",
        "departent", "services", "service", "office", "offic", "sheriff", "sheriffs", "board",
        "trustees", "county", "commissioners", "public", "safety", "division", "law", "enforcement",
    }
)


def agency_core(agency_slug: str) -> str:
    return " ".join(w for w in agency_slug.split("-") if w not in _GENERIC_AGENCY_WORDS)


def is_renamed(old: Key, new: Key) -> bool:
    """Same state, model(s) and signed date, and an agency name that differs only in wording or a typo."""
    if (old[0], old[2], old[3]) != (new[0], new[2], new[3]):
        return False
    old_core, new_core = agency_core(old[1]), agency_core(new[1])
    if not old_core or not new_core:
        return False
    return old_core == new_core or difflib.SequenceMatcher(None, old_core, new_core).ratio() >= 0.85


def renames(vanished: Iterable[Key], appeared: Iterable[Key]) -> dict[Key, Key]:
    """New identity -> the one it renames, only where exactly one vanished agreement fits."""
    found: dict[Key, Key] = {}
    vanished = sorted(vanished)
    for new in sorted(appeared):
        fits = [old for old in vanished if old not in found.values() and is_renamed(old, new)]
        if len(fits) == 1:
            found[new] = fits[0]
    return found


def merge_sheets(sheets: Sequence[Sheet]) -> list[Agreement]:
    """One Agreement per identity across all sheets, with the sheets it was seen on and its end.

    ICE corrects agency names between sheets ("Indiatlantic" -> "Indialantic", "City of
    Melbourne Police Department" -> "Melbourne Police Department"). Counting such a row as a
    new agreement would falsely end the old one, so an agreement that vanishes from one sheet
    to the next is linked to a newly listed one with the same state, model(s) and signed date
    and a near-identical name. Its id and fields follow the latest name; earlier names are kept.
    """
    ordered = sorted(sheets, key=lambda s: (s.day, s.name))
    canonical: dict[Key, Key] = {}
    latest: dict[Key, SheetRow] = {}
    names: dict[Key, list[str]] = defaultdict(list)
    seen: dict[Key, list[int]] = defaultdict(list)
    for index, sheet in enumerate(ordered):
        keys = {identity(row) for row in sheet.rows}
        present = {canonical.get(k, k) for k in keys}
        vanished = [k for k, where in seen.items() if where[-1] == index - 1 and k not in present]
        canonical.update(renames(vanished, [k for k in keys if k not in latest and k not in canonical]))
        for row in sheet.rows:
            key = canonical.get(identity(row), identity(row))
            latest[key] = with_known_link(row, latest.get(key))
            if row.agency not in names[key]:
                names[key].append(row.agency)
            if not seen[key] or seen[key][-1] != index:
                seen[key].append(index)
    agreements = []
    for key, row in latest.items():
        last = seen[key][-1]
        ended = ordered[last + 1].day if last + 1 < len(ordered) else None
        days = tuple(sorted({ordered[i].day for i in seen[key]}))
        former = tuple(name for name in names[key] if name != row.agency)
        # The id follows the latest listing, so one sheet alone gives the same id as the history.
        agreements.append(new_agreement(agreement_id(identity(row)), row, days, ended, former))
    return unique_ids(agreements)


def new_agreement(
    agreement_id: str,
    row: SheetRow,
    seen_on: tuple[dt.date, ...],
    ended: dt.date | None,
    also_listed_as: tuple[str, ...] = (),
) -> Agreement:
    return Agreement(
        agreement_id=agreement_id,
        state=state_fips(row.state_text) or "",
        agency=row.agency,
        agency_type=row.agency_type,
        county_cell=row.county_cell,
        support_type=row.support_type,
        models=models_in(row.support_type),
        signed=row.signed,
        moa_url=row.moa_url,
        seen_on=seen_on,
        ended=ended,
        also_listed_as=also_listed_as,
        problems=row_problems(row) + date_problems(row.signed, seen_on),
    )


def row_problems(row: SheetRow) -> tuple[str, ...]:
    problems = []
    if not state_fips(row.state_text):
        problems.append(f"state {row.state_text!r} is not a US state or DC")
    if not models_in(row.support_type):
        problems.append(f"support type {row.support_type!r} is not a 287(g) model")
    if row.signed is None:
        problems.append(f"signed date missing, unreadable or implausible: {row.signed_text!r}")
    return tuple(problems)


def date_problems(signed: dt.date | None, seen_on: tuple[dt.date, ...]) -> tuple[str, ...]:
    # A sheet cannot list an agreement signed after it was published: the date is a typo.
    if signed is not None and seen_on and signed > seen_on[0]:
        return (f"signed date {signed} is after the sheet of {seen_on[0]} that lists it",)
    return ()


def unique_ids(agreements: list[Agreement]) -> list[Agreement]:
    # Identities are unique, but two could still slug alike; never hand out one id twice.
    counts: Counter[str] = Counter()
    result = []
    for agreement in sorted(agreements, key=lambda a: a.agreement_id):
        counts[agreement.agreement_id] += 1
        n = counts[agreement.agreement_id]
        if n > 1:
            agreement = replace(agreement, agreement_id=f"{agreement.agreement_id}-{n}")
        result.append(agreement)
    return result


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Place:
    geoid: str
    name: str
    incorporated: bool


@dataclass(frozen=True)
class Match:
    geoid: str | None
    kind: str
    name: str
    approximate: bool
    basis: str


class CensusPlaces:
    """Census place names by state, fetched on first need into <cache_dir>/census."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._by_state: dict[str, dict[str, tuple[Place, ...]]] = {}

    def index(self, state: str) -> dict[str, tuple[Place, ...]]:
        if state not in self._by_state:
            self._by_state[state] = index_places(self._read(state))
        return self._by_state[state]

    def _read(self, state: str) -> list[Place]:
        name = census_file_name(self._settings.census_year, state)
        try:
            path = fetch(name, self._settings.census_source, self._settings.cache_dir / CENSUS_DIR)
        except FetchError as exc:
            raise CensusError(f"Census places for {STATES.get(state, state)}: {exc}") from exc
        return read_place_names(path)


def read_place_names(path: Path) -> list[Place]:
    try:
        frame = gpd.read_file(f"zip://{path}", ignore_geometry=True)
    except Exception as exc:  # a whole zip can still hold a broken shapefile
        raise CensusError(f"{path.name}: cannot read the shapefile ({exc})") from exc
    # LSAD 57 is a census-designated place: unincorporated, so it runs no police department.
    lsad = frame["LSAD"].astype(str) if "LSAD" in frame.columns else None
    return [
        Place(str(geoid), str(name), lsad is None or lsad.iloc[i] != "57")
        for i, (geoid, name) in enumerate(zip(frame["GEOID"], frame["NAME"], strict=True))
    ]


def index_places(places: Iterable[Place]) -> dict[str, tuple[Place, ...]]:
    grouped: dict[str, list[Place]] = defaultdict(list)
    for place in places:
        grouped[place_key(words_of(place.name))].append(place)
    return {key: tuple(found) for key, found in grouped.items()}


@lru_cache(maxsize=1)
def counties_by_state() -> MappingProxyType[str, tuple[Jurisdiction, ...]]:
    grouped: dict[str, list[Jurisdiction]] = defaultdict(list)
    for jurisdiction in states_and_counties():
        if jurisdiction.level == "county":
            grouped[jurisdiction.state_fips].append(jurisdiction)
    return MappingProxyType({state: tuple(found) for state, found in grouped.items()})


def is_independent_city(county: Jurisdiction) -> bool:
    return county.name.endswith(" city")


def find_county(
    state: str, text: str, prefer_city: bool = False, fuzzy: bool = True
) -> tuple[Jurisdiction, str] | None:
    """The county (or independent city) of `state` named `text`, with a note when not exact."""
    key = county_key(text)
    if not key:
        return None
    counties = counties_by_state().get(state, ())
    same = [c for c in counties if county_key(c.name) == key]
    preferred = [c for c in same if is_independent_city(c) == prefer_city]
    if len(preferred) == 1:
        return preferred[0], ""
    if len(same) == 1:
        label = text.title() if text.islower() else text
        kind = "an independent city" if prefer_city else "a county"
        return same[0], f"{label} is not {kind} of {STATES[state]}; {same[0].name} is"
    return closest_county(key, text, counties) if fuzzy and not same else None


def closest_county(key: str, text: str, counties: Sequence[Jurisdiction]) -> tuple[Jurisdiction, str] | None:
    """A misspelt county name, corrected only when exactly one county is clearly closest."""
    if len(key) < 6:  # short names are too close to each other to guess between
        return None
    scored = sorted(((difflib.SequenceMatcher(None, key, county_key(c.name)).ratio(), c) for c in counties),
                    key=lambda pair: -pair[0])
    if not scored or scored[0][0] < 0.75 or (len(scored) > 1 and scored[1][0] > scored[0][0] - 0.05):
        return None
    label = text.title() if text.islower() else text
    return scored[0][1], f"spelling corrected from {label!r}"


_SPECIAL_BODIES = (
    ("campus", re.compile(r"\b(university|college|school|campus)\b")),
    ("port", re.compile(r"\b(airport|port authority|seaport|aviation|harbor)\b")),
    ("jail district", re.compile(r"\b(regional jail|district jail|jail authority|criminal justice auth)")),
    ("regional body", re.compile(r"\b(regional|metro|metropolitan|authority|joint)\b")),
    ("constable's ward", re.compile(r"\bward\b")),
    ("constable", re.compile(r"\bconstabl")),
)
#: special bodies that sit inside the municipality they are named for
_BODIES_IN_A_PLACE = frozenset({"port", "constable's ward", "constable"})

_MUNICIPAL = re.compile(r"\b(police|public safety|constabl\w*|marshal\w*)\b")
_MUNICIPAL_NOISE = re.compile(
    r"\b(department of public safety|public safety( department)?|police( services)?( dep(ar)?t\w*)?"
    r"|constabl\w*( office)?|marshal\w*( office)?|office of( the)?|office|\w+ ward"
    r"|(international )?airport( authority)?)\b"
)
NEW_ENGLAND = frozenset({"09", "23", "25", "33", "44", "50"})
_STATE_WORDS = re.compile(r"\b(state police|highway patrol|state guard|national guard|attorney general)\b")


@dataclass(frozen=True)
class Candidate:
    """What the matcher knows about one agreement."""

    state: str
    agency: str
    agency_type: str
    county_cell: str
    words: tuple[str, ...]
    body: str | None

    @classmethod
    def of(cls, agreement: Agreement) -> Candidate:
        words = words_of(agreement.agency)
        text = " ".join(words)
        body = next((name for name, pattern in _SPECIAL_BODIES if pattern.search(text)), None)
        return cls(agreement.state, agreement.agency, agreement.agency_type.lower(), agreement.county_cell,
                   words, body)

    @property
    def state_name(self) -> str:
        return STATES.get(self.state, self.state)

    @property
    def is_municipal(self) -> bool:
        return self.agency_type == "municipality" or bool(_MUNICIPAL.search(" ".join(self.words)))

    @property
    def is_state_agency(self) -> bool:
        state_words = words_of(self.state_name)
        named_for_state = self.words[: len(state_words)] == state_words
        state_words_used = bool(_STATE_WORDS.search(" ".join(self.words)))
        return self.agency_type == "state agency" or named_for_state or state_words_used

    @property
    def approximate(self) -> bool:
        return self.body is not None


def county_match(
    county: Jurisdiction, c: Candidate, basis: str, note: str = "", approximate: bool = False
) -> Match:
    detail = f"{c.body}: {basis}" if c.body else basis
    detail = f"{detail} ({note})" if note else detail
    return Match(county.geoid, "county", county.display_name, approximate or c.approximate, detail)


def named_county(c: Candidate) -> Match | None:
    """A county named in the agency: the words before "County", "Parish" or "Borough"."""
    for index, word in enumerate(c.words):
        if word not in {"county", "parish", "borough"}:
            continue
        for start in range(max(0, index - 4), index):
            found = find_county(c.state, " ".join(c.words[start:index]), fuzzy=False)
            if found:
                return county_match(found[0], c, "county named in the agency", found[1])
    return None


def sheriff_county(c: Candidate) -> Match | None:
    """A sheriff serves a county: the one named before "Sheriff", else the sheet's COUNTY cell."""
    if "sheriff" not in c.words and "sheriffs" not in c.words:
        return None
    before = c.words[: min(i for i, w in enumerate(c.words) if w.startswith("sheriff"))]
    # Virginia's (and Baltimore's, St. Louis's) independent cities have sheriffs of their own.
    prefer_city = c.state in {"24", "29", "51"} and "county" not in before
    found = find_county(c.state, " ".join(before), prefer_city)
    if found:
        return county_match(found[0], c, "sheriff named for the county", found[1])
    found = find_county(c.state, c.county_cell)
    if found:
        return county_match(found[0], c, f"sheriff of the sheet's COUNTY cell {c.county_cell!r}", found[1])
    return None


def municipal_name(c: Candidate) -> tuple[str, ...]:
    """The municipality's words, with the department's own words taken off."""
    text = _MUNICIPAL_NOISE.sub(" ", " ".join(c.words))
    words = tuple(text.split())
    for kind in ("city", "town", "village", "borough"):
        if words[:2] == (kind, "of"):
            return words[2:]
    return words


def place_candidates(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The name as given, then without a trailing kind word Census names leave out ("Village")."""
    variants = [words]
    if len(words) > 1 and words[-1] in {"village", "town", "borough"}:
        variants.append(words[:-1])
    return variants


def find_place(index: dict[str, tuple[Place, ...]], words: tuple[str, ...]) -> tuple[Place, str] | None:
    for variant in place_candidates(words):
        found = [p for p in index.get(place_key(variant), ()) if p.incorporated]
        if len(found) == 1:
            return found[0], ""
    # "Sunny Isles" for Sunny Isles Beach: only when exactly one incorporated place begins so.
    starts = [
        p for places in index.values() for p in places
        if p.incorporated and words_of(p.name)[: len(words)] == words and len(words_of(p.name)) > len(words)
    ]
    if words and len(starts) == 1:
        return starts[0], f"the sheet's {' '.join(words).title()!r} taken as {starts[0].name!r}"
    return None


def named_place(c: Candidate, places: CensusPlaces) -> Match | None:
    """A municipal department: the incorporated Census place it is named for."""
    if c.agency_type == "state agency" or not c.is_municipal:
        return None
    if c.body is not None and c.body not in _BODIES_IN_A_PLACE:
        return None
    words = municipal_name(c)
    if not words or "township" in words:
        return None
    found = find_place(places.index(c.state), words)
    if found is None:
        return None
    place, note = found
    basis = f"{c.body}: in the municipality it is named for" if c.body else "municipality named in the agency"
    basis += f" ({note})" if note else ""
    return Match(place.geoid, "place", f"{place.name}, {c.state_name}", c.approximate, basis)


def state_agency(c: Candidate) -> Match | None:
    """A state agency governs the state; a state campus or jail district is somewhere inside it."""
    if not c.is_state_agency:
        return None
    if c.body is not None:
        found = find_county(c.state, c.county_cell)
        if found:
            return county_match(found[0], c, f"in the sheet's COUNTY cell {c.county_cell!r}", found[1])
        return Match(c.state, "state", c.state_name, True, f"{c.body}: a state body; no county given")
    return Match(c.state, "state", c.state_name, False, "state agency")


def leading_county(c: Candidate) -> Match | None:
    """A county-typed agency whose name starts with a county's name ("Miami Dade Corrections")."""
    # "Greene Township Constable" names a township, not Greene County.
    if c.agency_type != "county" or c.is_municipal or "township" in c.words:
        return None
    # A leading word can be a county's by chance ("Gulf Coast ..." is not Gulf County), so a
    # COUNTY cell, when there is one, must name the same county.
    in_cell = find_county(c.state, c.county_cell)
    for end in range(min(len(c.words), 4), 0, -1):
        found = find_county(c.state, " ".join(c.words[:end]), fuzzy=False)
        if found and (not c.county_cell or (in_cell and in_cell[0] == found[0])):
            return county_match(found[0], c, "county named at the start of the agency", found[1])
    return None


def county_cell(c: Candidate) -> Match | None:
    """Last resort: the county ICE's COUNTY cell gives; approximate, the agency is not the county."""
    found = find_county(c.state, c.county_cell)
    if found is None:
        return None
    basis = f"in the sheet's COUNTY cell {c.county_cell!r}" if c.body else (
        f"its own area is not a Census unit; county from the sheet's COUNTY cell {c.county_cell!r}"
    )
    return county_match(found[0], c, basis, found[1], approximate=True)


def unmatched_reason(c: Candidate) -> str:
    reasons = []
    if c.body:
        reasons.append(f"{c.body}")
    words = municipal_name(c)
    if c.is_municipal and "township" in words:
        reasons.append(f"{' '.join(words).title()!r} is a township, not a Census place")
    elif c.is_municipal and words:
        reasons.append(f"no incorporated Census place named {' '.join(words).title()!r} in {c.state_name}")
        if c.state in NEW_ENGLAND:
            reasons.append("New England towns are county subdivisions, not Census places")
    else:
        reasons.append(f"no county of {c.state_name} named in the agency")
    if c.county_cell:
        reasons.append(f"the sheet's COUNTY cell {c.county_cell!r} is not a county of {c.state_name}")
    else:
        reasons.append("the sheet's COUNTY cell is empty")
    return "; ".join(reasons)


def match_agency(c: Candidate, places: CensusPlaces) -> Match:
    """The jurisdiction an agreement governs, by the rules in the module docstring."""
    if not c.state:
        return Match(None, "", "", False, "state unknown")
    for rule in (named_county, sheriff_county):
        found = rule(c)
        if found:
            return found
    found = named_place(c, places)
    if found:
        return found
    for rule in (state_agency, leading_county, county_cell):
        found = rule(c)
        if found:
            return found
    return Match(None, "", "", False, unmatched_reason(c))


def with_match(agreement: Agreement, match: Match) -> Agreement:
    problems = agreement.problems
    if match.geoid is None and agreement.state:
        problems = (f"no jurisdiction: {match.basis}", *problems)
    return replace(
        agreement, geoid=match.geoid, jurisdiction=match.name, match_kind=match.kind,
        approximate=match.approximate, match_basis=match.basis, problems=problems,
    )


def match_all(agreements: Iterable[Agreement], places: CensusPlaces) -> list[Agreement]:
    return [with_match(a, match_agency(Candidate.of(a), places)) for a in agreements]


# --------------------------------------------------------------------------- cache files


def agreement_row(a: Agreement) -> dict[str, str]:
    return {
        "agreement_id": a.agreement_id,
        "state": a.state,
        "agency": a.agency,
        "agency_type": a.agency_type,
        "county_cell": a.county_cell,
        "support_type": a.support_type,
        "models": ";".join(a.models),
        "signed": a.signed.isoformat() if a.signed else "",
        "moa_url": a.moa_url,
        "seen_on": ";".join(d.isoformat() for d in a.seen_on),
        "ended": a.ended.isoformat() if a.ended else "",
        "also_listed_as": " | ".join(a.also_listed_as),
        "geoid": a.geoid or "",
        "jurisdiction": a.jurisdiction,
        "match_kind": a.match_kind,
        "approximate": "yes" if a.approximate else "",
        "match_basis": a.match_basis,
        "problems": " | ".join(a.problems),
    }


def exception_row(a: Agreement) -> dict[str, str]:
    row = agreement_row(a)
    return {**{k: row[k] for k in EXCEPTION_COLUMNS if k in row}, "reason": " | ".join(a.problems)}


def agreement_from_row(row: dict[str, str]) -> Agreement:
    def day(text: str) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    return Agreement(
        agreement_id=row["agreement_id"],
        state=row["state"],
        agency=row["agency"],
        agency_type=row["agency_type"],
        county_cell=row["county_cell"],
        support_type=row["support_type"],
        models=tuple(m for m in row["models"].split(";") if m),
        signed=day(row["signed"]),
        moa_url=row["moa_url"],
        seen_on=tuple(dt.date.fromisoformat(d) for d in row["seen_on"].split(";") if d),
        ended=day(row["ended"]),
        also_listed_as=tuple(n for n in row["also_listed_as"].split(" | ") if n),
        geoid=row["geoid"] or None,
        jurisdiction=row["jurisdiction"],
        match_kind=row["match_kind"],
        approximate=row["approximate"] == "yes",
        match_basis=row["match_basis"],
        problems=tuple(p for p in row["problems"].split(" | ") if p),
    )


def write_part(path: Path, columns: tuple[str, ...], rows: Iterable[dict[str, str]]) -> Path:
    part = path.with_name(path.name + ".part")
    with open(part, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return part


def write_cache(agreements: Sequence[Agreement], cache_dir: Path) -> tuple[Path, Path]:
    """Write both files beside their targets, then rename: readers never see half a file."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    targets = (cache_dir / EXCEPTIONS_FILE, cache_dir / AGREEMENTS_FILE)
    parts: list[Path] = []
    try:
        exceptions = (exception_row(a) for a in agreements if a.problems)
        parts.append(write_part(targets[0], EXCEPTION_COLUMNS, exceptions))
        parts.append(write_part(targets[1], AGREEMENT_COLUMNS, (agreement_row(a) for a in agreements)))
    except OSError:
        for part in parts:
            part.unlink(missing_ok=True)
        raise
    # The agreements file last: it is the one the app watches for changes.
    for part, target in zip(parts, targets, strict=True):
        os.replace(part, target)
    return targets[1], targets[0]


def read_agreements_file(path: Path) -> tuple[Agreement, ...]:
    try:
        stat = path.stat()
    except OSError:
        return ()
    return _read_agreements(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _read_agreements(path: str, _mtime_ns: int, _size: int) -> tuple[Agreement, ...]:
    # The mtime and size are part of the cache key, so a rebuilt file is read again.
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != AGREEMENT_COLUMNS:
            raise CacheError(f"{path}: unexpected columns; rebuild with `python -m geodata build`")
        try:
            return tuple(agreement_from_row(row) for row in reader)
        except (KeyError, ValueError, TypeError) as exc:
            message = f"{path}: unreadable row ({exc}); rebuild with `python -m geodata build`"
            raise CacheError(message) from exc


def cached_agreements(cache_dir: Path) -> tuple[Agreement, ...]:
    """The built agreements, or () when there is no cache (a damaged one raises CacheError)."""
    return read_agreements_file(Path(cache_dir) / AGREEMENTS_FILE)


# --------------------------------------------------------------------------- measures


def source_url(a: Agreement) -> str:
    return a.moa_url if a.moa_url.startswith("https://") else ICE_287G_PAGE


def measure_notes(a: Agreement) -> str:
    sheets = ", ".join(d.isoformat() for d in a.seen_on)
    notes = [f"Listed on ICE's 287(g) participating-agencies sheet(s) of {sheets}."]
    if a.also_listed_as:
        notes.append(f"Also listed as: {'; '.join(a.also_listed_as)}.")
    if a.approximate:
        notes.append(f"Approximate match: {a.match_basis}.")
    if not a.moa_url.startswith("https://"):
        notes.append("No MOA link on the sheet; source is ICE's 287(g) page.")
    return " ".join(notes)


def agreement_measure(a: Agreement) -> Measure | None:
    """An agreement as a Measure, if it has a jurisdiction, a plausible signed date and a known model."""
    if a.geoid is None or a.signed is None or not a.models or date_problems(a.signed, a.seen_on):
        return None
    return Measure(
        measure_id=a.agreement_id,
        geoid=a.geoid,
        jurisdiction=a.jurisdiction,
        title=f"287(g) agreement: {a.agency} ({a.model_labels})",
        instrument="agreement",
        direction="requires",
        provisions=("agreement_287g", *a.models),
        adopted=a.signed,
        effective=a.signed,
        ended=a.ended,
        end_reason=f"not on ICE's sheet of {a.ended.isoformat()}" if a.ended else "",
        source_url=source_url(a),
        notes=measure_notes(a),
        inheritable=not a.approximate,
    )


@lru_cache(maxsize=4)
def _measures(path: str, mtime_ns: int, size: int) -> tuple[Measure, ...]:
    agreements = _read_agreements(path, mtime_ns, size)
    return tuple(m for m in map(agreement_measure, agreements) if m is not None)


def cached_agreement_measures(cache_dir: Path) -> tuple[Measure, ...]:
    """Matched, dated agreements from the cache as Measures; () without a usable cache.

    Called on every dataset load, so the result is kept until the file's mtime or size changes.
    """
    path = Path(cache_dir) / AGREEMENTS_FILE
    try:
        stat = path.stat()
        return _measures(str(path), stat.st_mtime_ns, stat.st_size)
    except (CacheError, OSError, UnicodeDecodeError):
        return ()  # the app runs without the layer; `coverage` says what is wrong


def places_needed_by_agreements(settings: Settings) -> set[str]:
    """7-digit GEOIDs of the places agreements are matched to, so `build` fetches their shapes."""
    try:
        agreements = cached_agreements(settings.cache_dir)
    except (CacheError, OSError, UnicodeDecodeError):
        return set()
    return {a.geoid for a in agreements if a.geoid and a.match_kind == "place" and len(a.geoid) == 7}


# --------------------------------------------------------------------------- build and report


@dataclass
class AgreementBuildReport:
    source: str
    sheets: list[tuple[str, dt.date, int]] = field(default_factory=list)
    skipped_rows: list[str] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def lines(self) -> list[str]:
        if not self.ok:
            return [f"287(g): FAILED: {f}" for f in self.failures]
        out = [f"287(g): {len(self.sheets)} sheet(s) from {self.source}"]
        out += [f"287(g):   {name} ({day}, {rows} agreement rows)" for name, day, rows in self.sheets]
        out += summary_lines(self.agreements, prefix="287(g): ")
        out += [f"287(g): skipped {row}" for row in self.skipped_rows]
        out += [f"287(g): wrote {path}" for path in self.written]
        return out


def summary_lines(agreements: Sequence[Agreement], prefix: str = "") -> list[str]:
    total = len(agreements)
    if not total:
        return [f"{prefix}no agreements"]
    matched = [a for a in agreements if a.matched]
    kinds = Counter(a.match_kind for a in matched)
    approximate = sum(1 for a in matched if a.approximate)
    open_now = sum(1 for a in agreements if a.ended is None)
    exceptions = sum(1 for a in agreements if a.problems)
    return [
        f"{prefix}{total} agreements ({open_now} open, {total - open_now} ended)",
        f"{prefix}matched {len(matched)} of {total} ({100 * len(matched) / total:.1f}%): "
        f"county {kinds['county']}, place {kinds['place']}, state {kinds['state']}; "
        f"{approximate} of them approximate",
        f"{prefix}{exceptions} exception(s)",
    ]


def build_agreements(settings: Settings) -> AgreementBuildReport:
    """Read the sheets, match every agreement, and replace the cache only if all of that worked."""
    report = AgreementBuildReport(source=settings.ice_287g_source)
    try:
        paths = sheet_paths(settings)
    except SourceError as exc:
        report.failures.append(f"the 287(g) layer is unavailable: {exc}. To get it, {HOW_TO_GET}.")
        return report
    try:
        sheets = [read_sheet(path) for path in paths]
        agreements = match_all(merge_sheets(sheets), CensusPlaces(settings))
        report.written = list(write_cache(agreements, settings.cache_dir))
    except (SheetError, CensusError, OSError) as exc:
        report.failures.append(f"{exc}; the earlier 287(g) cache in {settings.cache_dir} is unchanged")
        return report
    report.sheets = [(s.name, s.day, len(s.rows)) for s in sorted(sheets, key=lambda s: (s.day, s.name))]
    report.skipped_rows = [line for s in sheets for line in s.skipped]
    report.agreements = agreements
    return report


# --------------------------------------------------------------------------- coverage


def month_end(month: dt.date, cap: dt.date) -> dt.date:
    return min((month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), cap)


def in_force_by_month(agreements: Sequence[Agreement]) -> list[tuple[dt.date, int]]:
    """Agreements in force at each month's end (the latest sheet's date for its month)."""
    dated = [a for a in agreements if a.signed]
    latest = max((d for a in agreements for d in a.seen_on), default=None)
    if not dated or latest is None:
        return []
    first = min(a.signed for a in dated if a.signed)
    months = month_starts(first, latest)
    return [(m, sum(1 for a in dated if a.in_force(month_end(m, latest)))) for m in months]


def month_lines(counts: Sequence[tuple[dt.date, int]]) -> list[str]:
    """One line per run of months with the same count, so quiet years take one line."""
    lines: list[str] = []
    start = 0
    for i in range(1, len(counts) + 1):
        if i == len(counts) or counts[i][1] != counts[start][1]:
            first, last = counts[start][0], counts[i - 1][0]
            span = f"{first:%Y-%m}" if first == last else f"{first:%Y-%m} .. {last:%Y-%m}"
            lines.append(f"    {span:<18} {counts[start][1]:>5}")
            start = i
    return lines


def model_lines(agreements: Sequence[Agreement]) -> list[str]:
    lines = []
    for tag, (label, _, _) in MODELS.items():
        having = [a for a in agreements if tag in a.models]
        open_now = sum(1 for a in having if a.ended is None)
        lines.append(f"    {label:<24} {len(having):>5} agreements, {open_now:>5} open")
    unknown = sum(1 for a in agreements if not a.models)
    if unknown:
        lines.append(f"    {'unknown model':<24} {unknown:>5} agreements")
    return lines


def exception_lines(agreements: Sequence[Agreement]) -> list[str]:
    lines = []
    for a in sorted((a for a in agreements if a.problems), key=lambda a: a.agreement_id):
        state = ABBREVIATIONS.get(a.state, "??")
        signed = a.signed.isoformat() if a.signed else "undated"
        lines.append(f"    {state} {a.agency} ({a.model_labels}, {signed}): {' | '.join(a.problems)}")
    return lines


def coverage_lines(settings: Settings) -> list[str]:
    """The 287(g) part of `python -m geodata coverage`."""
    try:
        agreements = cached_agreements(settings.cache_dir)
    except (CacheError, OSError, UnicodeDecodeError) as exc:
        return [f"287(g) agreements: cache unreadable ({exc})"]
    if not agreements:
        return [NOT_BUILT]
    sheets = sorted({d for a in agreements for d in a.seen_on})
    span = f"{sheets[0]} .. {sheets[-1]}" if sheets else "no sheet dates"
    lines = [f"287(g) agreements, from {len(sheets)} sheet date(s) ({span}):"]
    lines += summary_lines(agreements, prefix="  ")
    lines += exception_lines(agreements)
    lines.append("  in force at month end:")
    lines += month_lines(in_force_by_month(agreements))
    lines.append("  by support model:")
    lines += model_lines(agreements)
    return lines
