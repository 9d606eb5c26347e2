"""The question every view asks: what was in force, where, on a given date.

All functions here are pure: same dataset and date in, same answer out.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from geodata.dataset import Dataset, load_dataset
from geodata.tables import Measure
from geodata.vocabulary import EFFECTIVE_STATUSES, LEVELS, OWN_STATUSES


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


@dataclass(frozen=True)
class JurisdictionStatus:
    geoid: str
    name: str
    level: str
    own_measures: tuple[str, ...]
    inherited_measures: tuple[str, ...]
    own_status: str
    effective_status: str
    federal_lists: tuple[str, ...]

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
        }


@dataclass(frozen=True)
class Snapshot:
    date: dt.date
    level: str
    rows: tuple[JurisdictionStatus, ...]

    def by_geoid(self) -> dict[str, JurisdictionStatus]:
        return {r.geoid: r for r in self.rows}

    def counts(self, field: str = "effective_status") -> dict[str, int]:
        """Jurisdictions per status, every status present (zero included)."""
        categories = OWN_STATUSES if field == "own_status" else EFFECTIVE_STATUSES
        found = Counter(getattr(r, field) for r in self.rows)
        return {c: found.get(c, 0) for c in categories}


def parents_of(dataset: Dataset, geoid: str) -> tuple[str, ...]:
    """The jurisdictions whose measures apply here too: the state, and a place's county."""
    if len(geoid) == 2:
        return ()
    parents = [geoid[:2]]
    county = dataset.gazetteer.place_county.get(geoid) if len(geoid) == 7 else None
    if county:
        parents.append(county)
    return tuple(parents)


def status_of(dataset: Dataset, geoid: str, day: dt.date) -> JurisdictionStatus:
    """One jurisdiction's status on `day`."""
    jurisdiction = dataset.gazetteer.get(geoid)
    own = measures_in_force(dataset.measures_by_geoid.get(geoid, ()), day)
    inherited = tuple(
        m for parent in parents_of(dataset, geoid)
        for m in measures_in_force(dataset.measures_by_geoid.get(parent, ()), day)
        if m.inheritable
    )
    lists = tuple(
        sorted({d.list for d in dataset.designations_by_geoid.get(geoid, ()) if d.on_list(day)})
    )
    return JurisdictionStatus(
        geoid=geoid,
        name=jurisdiction.display_name if jurisdiction else geoid,
        level=jurisdiction.level if jurisdiction else "",
        own_measures=tuple(m.measure_id for m in own),
        inherited_measures=tuple(m.measure_id for m in inherited),
        own_status=own_status(m.direction for m in own),
        effective_status=effective_status(m.direction for m in (*own, *inherited)),
        federal_lists=lists,
    )


@lru_cache(maxsize=16)
def _level_index(dataset: Dataset, level: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(geoid, display name, parents) for every jurisdiction of a level, worked out once."""
    return tuple(
        (j.geoid, j.display_name, parents_of(dataset, j.geoid)) for j in dataset.gazetteer.of_level(level)
    )


def snapshot(day: dt.date, level: str, dataset: Dataset | None = None) -> Snapshot:
    """The status of every jurisdiction of `level` ('state', 'county' or 'place') on `day`."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    dataset = dataset or load_dataset()
    by_geoid = dataset.measures_by_geoid
    designations_by_geoid = dataset.designations_by_geoid
    # Most jurisdictions have no measure of their own: work out each parent once.
    in_force: dict[str, tuple[Measure, ...]] = {}

    def in_force_at(geoid: str) -> tuple[Measure, ...]:
        found = in_force.get(geoid)
        if found is None:
            found = in_force[geoid] = measures_in_force(by_geoid.get(geoid, ()), day)
        return found

    rows = []
    for geoid, name, parents in _level_index(dataset, level):
        own = in_force_at(geoid)
        inherited = tuple(m for parent in parents for m in in_force_at(parent) if m.inheritable)
        designations = designations_by_geoid.get(geoid)
        lists = tuple(sorted({d.list for d in designations if d.on_list(day)})) if designations else ()
        own_directions = {m.direction for m in own}
        rows.append(
            JurisdictionStatus(
                geoid=geoid,
                name=name,
                level=level,
                own_measures=tuple(m.measure_id for m in own),
                inherited_measures=tuple(m.measure_id for m in inherited),
                own_status=own_status(own_directions),
                effective_status=effective_status(own_directions | {m.direction for m in inherited}),
                federal_lists=lists,
            )
        )
    return Snapshot(day, level, tuple(rows))


@dataclass(frozen=True)
class Change:
    geoid: str
    name: str
    before: str
    after: str
    started: tuple[str, ...]
    ended: tuple[str, ...]

    @property
    def kind(self) -> str:
        """newly_limits, newly_requires, newly_conflict, ended or changed."""
        if self.after == "none":
            return "ended"
        if self.after in ("limits", "requires", "conflict"):
            return f"newly_{self.after}"
        return "changed"


def compare(earlier: Snapshot, later: Snapshot, field: str = "effective_status") -> tuple[Change, ...]:
    """What changed between two snapshots of the same level."""
    before = earlier.by_geoid()
    changes = []
    for row in later.rows:
        old = before.get(row.geoid)
        if old is None:
            continue
        old_ids = set(old.own_measures) | set(old.inherited_measures)
        new_ids = set(row.own_measures) | set(row.inherited_measures)
        if field == "own_status":
            old_ids, new_ids = set(old.own_measures), set(row.own_measures)
        if getattr(old, field) != getattr(row, field):
            changes.append(
                Change(
                    row.geoid, row.name, getattr(old, field), getattr(row, field),
                    tuple(sorted(new_ids - old_ids)), tuple(sorted(old_ids - new_ids)),
                )
            )
    return tuple(changes)
