"""Where the sheets come from (ICE's page, a sheet's URL, a file or a directory), their
download into the cache, and the date each sheet is for."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import requests

from geodata.config import Settings
from geodata.download import (
    CHECKSUMS_FILE,
    ChecksumMismatch,
    FetchError,
    fetch,
    local_checksums,
    verify_checksum,
)
from geodata.files import CacheNotWritable

SHEETS_DIR = "ice-287g"
PAGE_TIMEOUT = 30.0


class SourceError(Exception):
    """No sheet could be had from the configured source."""


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
    except (FetchError, CacheNotWritable) as exc:
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


def check_listed_sums(sheets: list[Path], directory: Path) -> None:
    """Sheets read in place from a directory with a SHA256SUMS must match it (as fetched files do)."""
    sums = local_checksums(directory)
    for sheet in sheets:
        try:
            verify_checksum(sheet, sheet.name, sums, str(directory / CHECKSUMS_FILE))
        except ChecksumMismatch as exc:
            raise SourceError(f"{sheet.name}: {exc}") from exc


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
        check_listed_sums(found, path)
        return found
    if path.is_file():
        check_listed_sums([path], path.parent)
        return [path]
    raise SourceError(f"{path} does not exist")
