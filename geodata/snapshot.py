"""The question every view asks: what was in force, where, on a given date.

All functions here are pure: same dataset and date in, same answer out. Which measures
count toward a status, and which flow down to counties and cities, is decided by the
Measure itself (`Measure.sets_status`, `Measure.applies_below`), so every caller agrees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from geodata.dataset import Dataset
from geodata.tables import Measure
from geodata.vocabulary import LEVELS


def own_status(directions: Iterable[str]) -> str:
    """limits, requires, both or none, from the directions of a jurisdiction's own measures."""
    found = set(directions)
    if {"limits", "requires"} <= found:
        return "both"
    return next(iter(found)) if found else "none"


def effective_status(directions: Iterable[str]) -> str:
    """limits, requires, conflict or none, from every measure that applies to a jurisdiction."""
    status = own_status(directions)
    return "conflict" if status == "both" else status


def measures_in_force(measures: Iterable[Measure], day: dt.date) -> tuple[Measure, ...]:
    return tuple(m for m in measures if m.in_force(day))


# A NamedTuple, not a frozen dataclass: the city level makes ~20,000 of these per date, and a tuple
# is built four times faster (30 ms less per city-level slider step).
class JurisdictionStatus(NamedTuple):
    geoid: str
    name: str
    level: str
    #: every own measure in force, state agencies' 287(g) agreements included
    own_measures: tuple[str, ...]
    #: the state's (and a city's county's) measures in force that apply here too
    inherited_measures: tuple[str, ...]
    own_status: str
    effective_status: str
    federal_lists: tuple[str, ...]
    #: own 287(g) agreements in force (a subset of own_measures)
    agreements: tuple[str, ...] = ()

    def as_row(self) -> dict[str, str]:
        return {
            "geoid": self.geoid,
            "name": self.name,
            "level": self.level,
            "own_status": self.own_status,
            "effective_status": self.effective_status,
            "own_measures": ";".join(self.own_measures),
            "inherited_measures": ";".join(self.inherited_measures),
            "federal_lists": ";".join(self.federal_lists),
            "agreements_287g": ";".join(self.agreements),
        }


@dataclass(frozen=True)
class Snapshot:
    date: dt.date
    level: str
    rows: tuple[JurisdictionStatus, ...]

    def by_geoid(self) -> dict[str, JurisdictionStatus]:
        return {r.geoid: r for r in self.rows}


def parents_of(dataset: Dataset, geoid: str) -> tuple[str, ...]:
    """The jurisdictions whose measures apply here too: the state, and a place's county."""
    if len(geoid) == 2:
        return ()
    parents = [geoid[:2]]
    county = dataset.gazetteer.place_county.get(geoid) if len(geoid) == 7 else None
    if county:
        parents.append(county)
    return tuple(parents)


def _status(
    geoid: str, name: str, level: str, own: tuple[Measure, ...], inherited: tuple[Measure, ...],
    lists: tuple[str, ...],
) -> JurisdictionStatus:
    own_directions = {m.direction for m in own if m.sets_status}
    return JurisdictionStatus(
        geoid=geoid,
        name=name,
        level=level,
        own_measures=tuple(m.measure_id for m in own),
        inherited_measures=tuple(m.measure_id for m in inherited),
        own_status=own_status(own_directions),
        effective_status=effective_status(own_directions | {m.direction for m in inherited}),
        federal_lists=lists,
        agreements=tuple(m.measure_id for m in own if m.is_287g_agreement),
    )


def _lists_on(dataset: Dataset, geoid: str, day: dt.date) -> tuple[str, ...]:
    designations = dataset.designations_by_geoid.get(geoid)
    return tuple(sorted({d.list for d in designations if d.on_list(day)})) if designations else ()


def status_of(dataset: Dataset, geoid: str, day: dt.date) -> JurisdictionStatus:
    """One jurisdiction's status on `day`."""
    jurisdiction = dataset.gazetteer.get(geoid)
    own = measures_in_force(dataset.measures_by_geoid.get(geoid, ()), day)
    inherited = tuple(
        m for parent in parents_of(dataset, geoid)
        for m in measures_in_force(dataset.measures_by_geoid.get(parent, ()), day)
        if m.applies_below
    )
    return _status(
        geoid, jurisdiction.display_name if jurisdiction else geoid, jurisdiction.level if jurisdiction else "",
        own, inherited, _lists_on(dataset, geoid, day),
    )


@lru_cache(maxsize=16)
def _level_index(dataset: Dataset, level: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(geoid, display name, parents) for every jurisdiction of a level, worked out once."""
    return tuple(
        (j.geoid, j.display_name, parents_of(dataset, j.geoid)) for j in dataset.gazetteer.of_level(level)
    )


# Shared by every caller in the process: the four views and two languages of one (date, level) ask
# for the same snapshot, and the city level's takes ~50 ms. A Snapshot is immutable, so sharing it is safe.
@lru_cache(maxsize=8)
def snapshot(day: dt.date, level: str, dataset: Dataset) -> Snapshot:
    """The status of every jurisdiction of `level` ('state', 'county' or 'place') on `day`."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    by_geoid = dataset.measures_by_geoid
    # Most jurisdictions have no measure of their own: work out each parent once.
    in_force: dict[str, tuple[Measure, ...]] = {}

    def in_force_at(geoid: str) -> tuple[Measure, ...]:
        found = in_force.get(geoid)
        if found is None:
            measures = by_geoid.get(geoid)
            found = in_force[geoid] = measures_in_force(measures, day) if measures else ()
        return found

    rows = []
    designations = dataset.designations_by_geoid
    # Most places and counties have no measure and no listing of their own: their status depends on
    # their parents alone, so it is worked out once per parent pair (the city level has ~20,000 rows).
    by_parents: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {}
    for geoid, name, parents in _level_index(dataset, level):
        if geoid not in by_geoid and geoid not in designations:
            found = by_parents.get(parents)
            if found is None:
                inherited = [m for parent in parents for m in in_force_at(parent) if m.applies_below]
                found = by_parents[parents] = (
                    tuple(m.measure_id for m in inherited), effective_status({m.direction for m in inherited}),
                )
            rows.append(JurisdictionStatus(geoid, name, level, (), found[0], "none", found[1], ()))
            continue
        inherited = tuple(m for parent in parents for m in in_force_at(parent) if m.applies_below)
        rows.append(_status(geoid, name, level, in_force_at(geoid), inherited, _lists_on(dataset, geoid, day)))
    return Snapshot(day, level, tuple(rows))
