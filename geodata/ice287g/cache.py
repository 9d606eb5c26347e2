"""The cache files: every agreement and the exceptions, written whole or not at all, and read
back (agreements, their Measures, the places they need) until the file changes."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from geodata.config import Settings
from geodata.files import atomic_path
from geodata.ice287g.agreements import Agreement
from geodata.ice287g.measures import agreement_measure
from geodata.tables import Measure

AGREEMENTS_FILE = "agreements_287g.csv"
EXCEPTIONS_FILE = "agreements_287g_exceptions.csv"
AGREEMENT_COLUMNS = (
    "agreement_id", "state", "agency", "agency_type", "county_cell", "support_type", "models",
    "signed", "moa_url", "seen_on", "ended", "also_listed_as", "geoid", "jurisdiction", "match_kind",
    "approximate", "match_basis", "problems",
)
EXCEPTION_COLUMNS = (
    "agreement_id", "state", "agency", "agency_type", "county_cell", "support_type", "signed",
    "seen_on", "reason",
)


class CacheError(Exception):
    """The agreements cache exists but is not in the expected shape."""


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


def write_rows(path: Path, columns: tuple[str, ...], rows: Iterable[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_cache(agreements: Sequence[Agreement], cache_dir: Path) -> tuple[Path, Path]:
    """Write both files beside their targets, then rename: readers never see half a file."""
    agreements_path, exceptions_path = cache_dir / AGREEMENTS_FILE, cache_dir / EXCEPTIONS_FILE
    # Contexts close inner first: the exceptions file is renamed into place, then the agreements
    # file, the one the app watches for changes. If writing either fails, neither is replaced.
    with atomic_path(agreements_path) as agreements_tmp, atomic_path(exceptions_path) as exceptions_tmp:
        write_rows(exceptions_tmp, EXCEPTION_COLUMNS, (exception_row(a) for a in agreements if a.problems))
        write_rows(agreements_tmp, AGREEMENT_COLUMNS, (agreement_row(a) for a in agreements))
    return agreements_path, exceptions_path


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
