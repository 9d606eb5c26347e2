"""Read the policy and designation tables into immutable records.

Reading never raises on bad data: every row that can't be used becomes a
`Problem` with its file, line and column, and the caller decides what to do.
One bad row never costs another: an oversized field, bytes that are not UTF-8 or
an unclosed quote are reported on their line, and reading goes on after it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Generic, TypeVar

from geodata.cells import starts_like_formula
from geodata.vocabulary import DIRECTIONS, FEDERAL_LISTS, INSTRUMENTS, PROVISIONS, UNPLACED_KINDS, level_of

DATA_DIR = Path(__file__).parent
REPO_DIR = DATA_DIR.resolve().parent
POLICIES_PATH = DATA_DIR / "policies.csv"
DESIGNATIONS_PATH = DATA_DIR / "designations.csv"

#: The longest field a table may hold. The longest note today is under 3,000 characters; a field
#: this long is a paste gone wrong, and is reported rather than read.
MAX_FIELD_CHARS = 1_000_000
#: The largest table file read at all. The csv module's field limit is raised to this, so that the
#: parser never stops inside a field (which would desynchronise it); MAX_FIELD_CHARS is checked by us.
MAX_TABLE_BYTES = 64 * 1024 * 1024

MEASURE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
#: Text columns with no fixed vocabulary: a formula-like start is refused in these.
FREE_TEXT_COLUMNS = ("jurisdiction", "title", "end_reason", "notes")
#: Characters that are markup in Markdown, HTML or Streamlit's text (tags, links and images,
#: code, emphasis, strike-through, tables, escapes, LaTeX). Names and titles are shown in headings
#: and labels, so they are refused there; no current name or title uses any of them.
MARKUP_CHARACTERS = frozenset("<>`[]*_~|\\$")
_MARKUP = re.compile("[" + re.escape("".join(sorted(MARKUP_CHARACTERS))) + "]")
#: control characters (Unicode category Cc) and the line and paragraph separators
_NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE = re.compile("[\udc80-\udcff]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SPACE = re.compile(r"\s")

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


@lru_cache(maxsize=64)
def public_file_name(path: str) -> str:
    """How a table's file is named to the public: relative to the repository, else its bare name.

    Never an absolute path, so problems shown on a page do not reveal the server's directories.
    """
    candidate = Path(path)
    if not candidate.is_absolute():
        return candidate.as_posix() if ".." not in candidate.parts else candidate.name
    try:
        return candidate.resolve().relative_to(REPO_DIR).as_posix()
    except (ValueError, OSError, RuntimeError):
        return candidate.name


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a table, printed as FILE:LINE: column: message.

    `file` is the public name (see `public_file_name`); `path` keeps the path it was given, for logs.
    """

    file: str
    line: int
    column: str
    message: str
    path: str = field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        given = str(self.file)
        object.__setattr__(self, "path", self.path or given)
        object.__setattr__(self, "file", public_file_name(given))

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"

    def for_log(self) -> str:
        """The problem with the file's full path, for operators rather than the public."""
        return f"{self.path}:{self.line}: {self.column}: {self.message}"


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


class _Lines:
    """The file's physical lines with a cursor, so the CSV reader can be sent back to a line."""

    def __init__(self, text: str) -> None:
        # newline="" keeps \r\n inside quoted fields, as the csv module expects.
        self.lines = io.StringIO(text, newline="").readlines()
        self.position = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.position >= len(self.lines):
            raise StopIteration
        self.position += 1
        return self.lines[self.position - 1]


def _line_breaks(text: str) -> int:
    return len(_LINE_BREAK.findall(text))


def _not_utf8(value: str, match: re.Match[str]) -> str:
    raw = match.group().encode("utf-8", "surrogateescape")
    # Up to 20 characters before the byte, on its own line: enough to find it in an editor.
    line_start = _LINE_BREAK.split(value[: match.start()])[-1]
    before = _SURROGATE.sub("\ufffd", line_start[-20:])
    shown = " ".join(f"0x{b:02X}" for b in raw[:4]) + (" ..." if len(raw) > 4 else "")
    where = f"after {before!r}" if before else "at the start"
    return f"byte(s) {shown} {where} are not UTF-8; save the file as UTF-8"


def _field_problems(file: str, line: int, header: list[str], values: list[str]) -> list[Problem]:
    """Undecodable bytes and oversized fields, each on the line where its field (or byte) is."""
    problems = []
    offset = 0  # line breaks inside the quoted fields before this one
    for column, value in zip(header, values, strict=True):
        if len(value) > MAX_FIELD_CHARS:
            problems.append(
                Problem(file, line + offset, column,
                        f"is {len(value):,} characters long; a field may hold at most {MAX_FIELD_CHARS:,}")
            )
        else:
            bad = _SURROGATE.search(value)
            if bad:
                where = line + offset + _line_breaks(value[: bad.start()])
                problems.append(Problem(file, where, column, _not_utf8(value, bad)))
        offset += _line_breaks(value)
    return problems


def _rows(
    text: str, file: str, columns: tuple[str, ...], utf8: bool = False
) -> Iterator[tuple[int, dict[str, str]] | Problem]:
    """Each usable row with its line number, and a Problem for each row that is not.

    Unless `utf8` says the file decoded cleanly, `text` was decoded with errors="surrogateescape",
    so bytes that are not UTF-8 show up as surrogates in the field that holds them and cost only that row.
    """
    if csv.field_size_limit() < MAX_TABLE_BYTES:
        # Global to the csv module, so only ever raised: a reader in another thread never sees it shrink.
        csv.field_size_limit(MAX_TABLE_BYTES)
    # Most files have neither; then no field needs looking at.
    check_fields = len(text) > MAX_FIELD_CHARS or not utf8
    lines = _Lines(text)
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        yield Problem(file, 1, "header", "file is empty")
        return
    except csv.Error as exc:
        yield Problem(file, 1, "header", f"unreadable CSV: {exc}")
        return
    joined = ",".join(header)
    bad = _SURROGATE.search(joined)
    if bad:
        yield Problem(file, 1, "header", _not_utf8(joined, bad))
        return
    header = [h.strip().lstrip("\ufeff") for h in header]
    if tuple(header) != columns:
        missing = [c for c in columns if c not in header]
        detail = f"missing {', '.join(missing)}" if missing else "columns out of order or extra"
        yield Problem(file, 1, "header", f"expected {','.join(columns)} ({detail})")
        if missing:
            return
    while True:
        start = lines.position
        line = start + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Problem(file, line, "row", f"unreadable CSV: {exc}")
            lines.position = start + 1
            continue
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            span = lines.position - start
            message = f"has {len(values)} fields, expected {len(header)}"
            if span > 1:
                # Most likely an unclosed quote that swallowed the lines after it: read them again
                # on their own, so that one stray quote does not cost the rows that follow.
                message += f" and runs over {span} lines (an unclosed quote?)"
                lines.position = start + 1
            yield Problem(file, line, "row", message)
            continue
        problems = _field_problems(file, line, header, values) if check_fields else []
        if problems:
            yield from problems
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
        raw = self.row.get(column, "")
        value = raw.strip()
        if required and not value:
            self.fail(column, "is empty")
        # The file's own cell (opened in a spreadsheet by an editor) and the stripped value (served
        # in downloads) must both be safe.
        if column in FREE_TEXT_COLUMNS and (starts_like_formula(raw) or starts_like_formula(value)):
            first = raw.lstrip(" ")[:1] if starts_like_formula(raw) else value[:1]
            self.fail(
                column,
                f"starts with {first!r}, which a spreadsheet would run as a formula;"
                " reword it so that it starts with a letter, digit or quote mark",
            )
        return value

    def label(self, column: str) -> str:
        """A name or title: one line of plain text, shown in headings, so no markup and no line breaks."""
        value = self.text(column)
        found = sorted(set(_MARKUP.findall(value)))
        if found:
            self.fail(
                column,
                f"holds {' '.join(found)}, which would be read as Markdown or HTML markup; write it out in words",
            )
        if _NOT_ONE_LINE.search(value):
            self.fail(column, "must be one line of plain text (no line breaks, tabs or control characters)")
        return value

    def measure_id(self) -> str:
        value = self.text("measure_id")
        if value and not MEASURE_ID.fullmatch(value):
            self.fail(
                "measure_id",
                f"{value[:60]!r} is not a slug: use lowercase letters, digits and single hyphens, like 'ca-sb54-2017'",
            )
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
        if value and (not well_formed or _SPACE.search(value)):
            self.fail("source_url", f"must be an https URL: {value!r}")
        return value


def table_rows(path: Path | str, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]] | Problem]:
    """Each usable row of a CSV table with its line number, and a Problem for anything unusable.

    The one reader of every table: an oversized, undecodable or malformed row costs only itself.
    """
    file = str(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_TABLE_BYTES:
            yield Problem(file, 0, "file", f"is {size:,} bytes; a table may be at most {MAX_TABLE_BYTES:,}")
            return
        data = Path(path).read_bytes()
    except OSError as exc:
        yield Problem(file, 0, "file", f"cannot read: {exc.strerror or exc}")
        return
    try:
        text, clean = data.decode("utf-8"), True
    except UnicodeDecodeError:
        text, clean = data.decode("utf-8", errors="surrogateescape"), False
    yield from _rows(text, file, columns, clean)


def _read_table(
    path: Path, columns: tuple[str, ...], today: dt.date | None,
    parse_row: Callable[[_RowChecker, dict, dt.date], T | None],
) -> Table[T]:
    """Read a table, letting `parse_row` turn each row into a record (None when it has problems)."""
    today = today or dt.date.today()
    file = str(path)
    records: list[T] = []
    problems: list[Problem] = []
    references: list[tuple[int, str, str]] = []
    seen: dict = {}
    for item in table_rows(path, columns):
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
    measure_id = c.measure_id()
    if measure_id in seen:
        c.fail("measure_id", f"duplicate of line {seen[measure_id]}")
    elif measure_id:
        seen[measure_id] = c.line
    geoid = c.geoid()
    jurisdiction = c.label("jurisdiction")
    title = c.label("title")
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
    jurisdiction = c.label("jurisdiction")
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


UNPLACED_PATH = DATA_DIR / "designations_unplaced.csv"
UNPLACED_COLUMNS = (
    "state_fips",
    "jurisdiction",
    "kind",
    "list",
    "listed_on",
    "removed_on",
    "source_url",
    "notes",
)


@dataclass(frozen=True)
class UnplacedDesignation:
    """A federal-list entry that no Census geography the map draws can hold (a New England town, say)."""

    state_fips: str
    jurisdiction: str
    kind: str
    list: str
    listed_on: dt.date
    removed_on: dt.date | None
    source_url: str
    notes: str
    line: int = 0

    @property
    def drawn_as(self) -> str:
        return UNPLACED_KINDS[self.kind]


def _parse_unplaced(
    c: _RowChecker, seen: dict[tuple[str, str, str], int], today: dt.date
) -> UnplacedDesignation | None:
    state_fips = c.text("state_fips")
    if state_fips and level_of(state_fips) != "state":
        c.fail("state_fips", f"malformed state FIPS code {state_fips!r}: expected 2 digits")
    jurisdiction = c.label("jurisdiction")
    kind = c.choice("kind", UNPLACED_KINDS)
    list_id = c.choice("list", FEDERAL_LISTS)
    key = (state_fips, jurisdiction, list_id)
    if key in seen:
        c.fail("jurisdiction", f"{jurisdiction} is on {list_id} already at line {seen[key]}")
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
    return UnplacedDesignation(state_fips, jurisdiction, kind, list_id, listed_on, removed_on, source_url, notes,
                               c.line)


def read_unplaced_designations(path: Path = UNPLACED_PATH, today: dt.date | None = None) -> Table[UnplacedDesignation]:
    """Parse the table of federal-list entries the map cannot draw. Rows with problems are reported and left out."""
    return _read_table(path, UNPLACED_COLUMNS, today, _parse_unplaced)
