"""Read the policy and designation tables into immutable records.

Reading never raises on bad data: every row that can't be used becomes a
`Problem` with its file, line and column, and the caller decides what to do.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from geodata.vocabulary import DIRECTIONS, FEDERAL_LISTS, INSTRUMENTS, PROVISIONS, level_of

DATA_DIR = Path(__file__).parent
POLICIES_PATH = DATA_DIR / "policies.csv"
DESIGNATIONS_PATH = DATA_DIR / "designations.csv"

POLICY_COLUMNS = (
    "measure_id",
    "geoid",
    "jurisdiction",
    "title",
    "instrument",
    "direction",
    "provisions",
    "adopted",
    "effective",
    "ended",
    "end_reason",
    "source_url",
    "notes",
)
DESIGNATION_COLUMNS = (
    "geoid",
    "jurisdiction",
    "list",
    "listed_on",
    "removed_on",
    "source_url",
    "notes",
)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"


@dataclass(frozen=True)
class Measure:
    measure_id: str
    geoid: str
    jurisdiction: str
    title: str
    instrument: str
    direction: str
    provisions: tuple[str, ...]
    adopted: dt.date | None
    effective: dt.date
    ended: dt.date | None
    end_reason: str
    source_url: str
    notes: str
    line: int = 0
    #: False when the measure binds only part of its jurisdiction (a campus police
    #: agreement drawn on its state): it colours the jurisdiction but is not inherited.
    inheritable: bool = True

    @property
    def level(self) -> str:
        return level_of(self.geoid) or ""

    def in_force(self, day: dt.date) -> bool:
        """In force on `day`: effective <= day < ended."""
        return self.effective <= day and (self.ended is None or day < self.ended)

    @property
    def is_287g_agreement(self) -> bool:
        """The one rule for a 287(g) agreement: the provision tag, whatever the instrument's name."""
        return "agreement_287g" in self.provisions

    @property
    def is_state_agency_agreement(self) -> bool:
        """A 287(g) agreement signed by a state agency (corrections, state police, a campus...)."""
        return self.is_287g_agreement and self.level == "state"

    @property
    def bars_287g_statewide(self) -> bool:
        """A state law that bars 287(g) agreements for every agency in the state.

        Only statutes: a governor's directive may bind state agencies alone (Virginia's of 2026 ends
        state agencies' agreements, not sheriffs'), so it ends no county's or city's agreement.
        """
        return self.level == "state" and self.instrument == "statute" and "no_287g" in self.provisions

    @property
    def sets_status(self) -> bool:
        """Whether it counts toward its jurisdiction's limits/requires status.

        A state agency's agreement binds that agency alone: it is no statewide mandate, so it
        never makes a state "requires" (a statute or order that mandates cooperation still does).
        """
        return not self.is_state_agency_agreement

    @property
    def applies_below(self) -> bool:
        """Whether it applies to the counties and cities inside its jurisdiction too."""
        return self.inheritable and self.sets_status


@dataclass(frozen=True)
class Designation:
    geoid: str
    jurisdiction: str
    list: str
    listed_on: dt.date
    removed_on: dt.date | None
    source_url: str
    notes: str
    line: int = 0

    @property
    def level(self) -> str:
        return level_of(self.geoid) or ""

    def on_list(self, day: dt.date) -> bool:
        return self.listed_on <= day and (self.removed_on is None or day < self.removed_on)


T = TypeVar("T")


@dataclass(frozen=True)
class Table(Generic[T]):
    """Records that parsed, plus the problems found while reading."""

    records: tuple[T, ...]
    problems: tuple[Problem, ...]
    #: (line, geoid, jurisdiction) of every data row, usable or not, for boundary checks
    references: tuple[tuple[int, str, str], ...] = ()


def parse_date(text: str) -> dt.date:
    """Strict ISO date (YYYY-MM-DD); raises ValueError otherwise."""
    text = text.strip()
    if len(text) != 10:
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    return dt.date.fromisoformat(text)


def _rows(text: str, file: str, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]] | Problem]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        yield Problem(file, 1, "header", "file is empty")
        return
    except csv.Error as exc:
        yield Problem(file, 1, "header", f"unreadable CSV: {exc}")
        return
    header = [h.strip().lstrip("\ufeff") for h in header]
    if tuple(header) != columns:
        missing = [c for c in columns if c not in header]
        detail = f"missing {', '.join(missing)}" if missing else "columns out of order or extra"
        yield Problem(file, 1, "header", f"expected {','.join(columns)} ({detail})")
        if missing:
            return
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Problem(file, line, "row", f"unreadable CSV: {exc}")
            return
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            yield Problem(
                file, line, "row", f"has {len(values)} fields, expected {len(header)}"
            )
            continue
        yield line, dict(zip(header, values, strict=True))


class _RowChecker:
    """Collects problems for one row while converting its fields."""

    def __init__(self, file: str, line: int, row: dict[str, str]) -> None:
        self.file, self.line, self.row = file, line, row
        self.problems: list[Problem] = []

    def fail(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.line, column, message))

    def text(self, column: str, required: bool = True) -> str:
        value = self.row.get(column, "").strip()
        if required and not value:
            self.fail(column, "is empty")
        return value

    def date(self, column: str, today: dt.date, required: bool = True) -> dt.date | None:
        value = self.text(column, required)
        if not value:
            return None
        try:
            day = parse_date(value)
        except ValueError:
            self.fail(column, f"not a valid YYYY-MM-DD date: {value!r}")
            return None
        if day > today:
            self.fail(column, f"{value} is in the future")
        return day

    def choice(self, column: str, allowed: Iterable[str]) -> str:
        value = self.text(column)
        allowed = tuple(allowed)
        if value and value not in allowed:
            self.fail(column, f"unknown value {value!r}; expected one of {', '.join(allowed)}")
        return value

    def geoid(self) -> str:
        value = self.text("geoid")
        if value and level_of(value) is None:
            self.fail("geoid", f"malformed GEOID {value!r}: expected 2, 5 or 7 digits")
        return value

    def source(self) -> str:
        value = self.text("source_url")
        well_formed = value.startswith("https://") and len(value) > len("https://")
        if value and (not well_formed or any(c.isspace() for c in value)):
            self.fail("source_url", f"must be an https URL: {value!r}")
        return value


def _read_table(
    path: Path, columns: tuple[str, ...], today: dt.date | None,
    parse_row: Callable[[_RowChecker, dict, dt.date], T | None],
) -> Table[T]:
    """Read a table, letting `parse_row` turn each row into a record (None when it has problems)."""
    today = today or dt.date.today()
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Table((), (Problem(file, 0, "file", f"cannot read: {exc}"),))
    records: list[T] = []
    problems: list[Problem] = []
    references: list[tuple[int, str, str]] = []
    seen: dict = {}
    for item in _rows(text, file, columns):
        if isinstance(item, Problem):
            problems.append(item)
            continue
        line, row = item
        references.append((line, row.get("geoid", "").strip(), row.get("jurisdiction", "").strip()))
        checker = _RowChecker(file, line, row)
        record = parse_row(checker, seen, today)
        problems.extend(checker.problems)
        if record is not None and not checker.problems:
            records.append(record)
    return Table(tuple(records), tuple(problems), tuple(references))


def _parse_measure(c: _RowChecker, seen: dict[str, int], today: dt.date) -> Measure | None:
    measure_id = c.text("measure_id")
    if measure_id in seen:
        c.fail("measure_id", f"duplicate of line {seen[measure_id]}")
    elif measure_id:
        seen[measure_id] = c.line
    geoid = c.geoid()
    jurisdiction = c.text("jurisdiction")
    title = c.text("title")
    instrument = c.choice("instrument", INSTRUMENTS)
    direction = c.choice("direction", DIRECTIONS)
    provisions = tuple(p.strip() for p in c.text("provisions", required=False).split(";") if p.strip())
    for tag in provisions:
        if tag not in PROVISIONS:
            c.fail("provisions", f"unknown provision tag {tag!r}")
        elif direction in DIRECTIONS and PROVISIONS[tag][0] != direction:
            owner = PROVISIONS[tag][0]
            c.fail("provisions", f"tag {tag!r} belongs to direction {owner!r}, not {direction!r}")
    # Some adoption days are not on record (the effective day is); leave those empty.
    adopted = c.date("adopted", today, required=False)
    effective = c.date("effective", today)
    ended = c.date("ended", today, required=False)
    end_reason = c.text("end_reason", required=False)
    if adopted and effective and effective < adopted:
        c.fail("effective", f"{effective} is before adopted {adopted}")
    if effective and ended and ended < effective:
        c.fail("ended", f"{ended} is before effective {effective}")
    if ended and not end_reason:
        c.fail("end_reason", "is empty although the measure has ended")
    source_url = c.source()
    notes = c.text("notes", required=False)
    if effective is None:
        return None
    return Measure(
        measure_id, geoid, jurisdiction, title, instrument, direction, provisions,
        adopted, effective, ended, end_reason, source_url, notes, c.line,
    )


def _parse_designation(c: _RowChecker, seen: dict[tuple[str, str], int], today: dt.date) -> Designation | None:
    geoid = c.geoid()
    jurisdiction = c.text("jurisdiction")
    list_id = c.choice("list", FEDERAL_LISTS)
    key = (geoid, list_id)
    if key in seen:
        c.fail("geoid", f"{geoid} is on {list_id} already at line {seen[key]}")
    else:
        seen[key] = c.line
    listed_on = c.date("listed_on", today)
    removed_on = c.date("removed_on", today, required=False)
    if listed_on and removed_on and removed_on < listed_on:
        c.fail("removed_on", f"{removed_on} is before listed_on {listed_on}")
    source_url = c.source()
    notes = c.text("notes", required=False)
    if listed_on is None:
        return None
    return Designation(geoid, jurisdiction, list_id, listed_on, removed_on, source_url, notes, c.line)


def read_policies(path: Path = POLICIES_PATH, today: dt.date | None = None) -> Table[Measure]:
    """Parse the policy table. Rows with problems are reported and left out."""
    return _read_table(path, POLICY_COLUMNS, today, _parse_measure)


def read_designations(path: Path = DESIGNATIONS_PATH, today: dt.date | None = None) -> Table[Designation]:
    """Parse the federal-designations table. Rows with problems are reported and left out."""
    return _read_table(path, DESIGNATION_COLUMNS, today, _parse_designation)
