"""The jurisdiction each agreement governs: a county, an incorporated Census place or the
state, by the rules in the package docstring, with Census place names read on first need."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd

from geodata.boundaries import Jurisdiction, states_and_counties
from geodata.config import Settings
from geodata.download import FetchError, fetch
from geodata.fips import STATES
from geodata.ice287g.agreements import Agreement
from geodata.ice287g.names import county_key, place_key, words_of
from geodata.places import census_file_name

CENSUS_DIR = "census"


class CensusError(Exception):
    """A Census place file needed for matching could not be fetched or read."""


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
    """The jurisdiction an agreement governs, by the rules in the package docstring."""
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
