"""Status over time: counts per category across many dates, and one jurisdiction's history.

Computing a snapshot for every month would cost hundreds of snapshots. Instead each
jurisdiction is evaluated only on the days something that applies to it changes,
which gives its category as a step function; counts are then swept over the dates.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from geodata.dataset import Dataset
from geodata.snapshot import JurisdictionStatus, parents_of, status_of
from geodata.tables import Designation, Measure

Classifier = Callable[[JurisdictionStatus], str]


def _change_days(measures: Iterable[Measure], designations: Iterable[Designation]) -> set[dt.date]:
    days: set[dt.date] = set()
    for m in measures:
        days.add(m.effective)
        if m.ended:
            days.add(m.ended)
    for d in designations:
        days.add(d.listed_on)
        if d.removed_on:
            days.add(d.removed_on)
    return days


def category_steps(
    dataset: Dataset, geoid: str, classify: Classifier
) -> list[tuple[dt.date, str]]:
    """(day, category) for every day the jurisdiction's category changes, oldest first."""
    relevant = [*dataset.measures_by_geoid.get(geoid, ())]
    for parent in parents_of(dataset, geoid):
        relevant += [m for m in dataset.measures_by_geoid.get(parent, ()) if m.applies_below]
    days = sorted(_change_days(relevant, dataset.designations_by_geoid.get(geoid, ())))
    steps: list[tuple[dt.date, str]] = []
    for day in days:
        category = classify(status_of(dataset, geoid, day))
        if not steps or steps[-1][1] != category:
            steps.append((day, category))
    return steps


def counts_over_time(
    dataset: Dataset, level: str, classify: Classifier, days: Sequence[dt.date]
) -> list[dict[str, int]]:
    """For each of `days` (sorted), how many jurisdictions of `level` fall in each category."""
    # Everything before the first change is whatever an empty status classifies as.
    baseline = classify(JurisdictionStatus("", "", level, (), (), "none", "none", ()))
    deltas: dict[dt.date, Counter[str]] = defaultdict(Counter)
    total = 0
    for jurisdiction in dataset.gazetteer.of_level(level):
        total += 1
        current = baseline
        for day, category in category_steps(dataset, jurisdiction.geoid, classify):
            deltas[day][current] -= 1
            deltas[day][category] += 1
            current = category
    change_days = sorted(deltas)
    counts: Counter[str] = Counter({baseline: total})
    result = []
    applied = 0
    for day in days:
        upto = bisect.bisect_right(change_days, day)
        for change_day in change_days[applied:upto]:
            counts.update(deltas[change_day])
        applied = max(applied, upto)
        result.append({k: v for k, v in counts.items() if v})
    return result


@dataclass(frozen=True)
class HistoryEntry:
    measure: Measure
    #: "own", or the GEOID of the state or county it is inherited from
    via: str


def jurisdiction_history(dataset: Dataset, geoid: str) -> list[HistoryEntry]:
    """Every measure that ever applied here (own and inherited), by effective date."""
    entries = [HistoryEntry(m, "own") for m in dataset.measures_by_geoid.get(geoid, ())]
    for parent in parents_of(dataset, geoid):
        entries += [HistoryEntry(m, parent) for m in dataset.measures_by_geoid.get(parent, ()) if m.applies_below]
    return sorted(entries, key=lambda e: (e.measure.effective, e.measure.measure_id))
