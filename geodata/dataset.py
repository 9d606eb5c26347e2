"""Everything the views ask about, loaded once: measures, federal lists and jurisdictions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from geodata.boundaries import Gazetteer, load_gazetteer
from geodata.config import Settings, settings
from geodata.placepoints import PlacePoint, counties_of_points, place_points
from geodata.tables import (
    DESIGNATIONS_PATH,
    POLICIES_PATH,
    Designation,
    Measure,
    Problem,
    read_designations,
    read_policies,
)

T = TypeVar("T")


# eq=False: a dataset is identified by the object, so it can key caches cheaply.
@dataclass(frozen=True, eq=False)
class Dataset:
    measures: tuple[Measure, ...]
    designations: tuple[Designation, ...]
    gazetteer: Gazetteer
    #: places drawn as points when no place boundaries are built
    place_points: tuple[PlacePoint, ...]
    #: rows that could not be used (the app shows a notice; `check` lists them)
    problems: tuple[Problem, ...]
    measures_by_geoid: MappingProxyType[str, tuple[Measure, ...]]
    designations_by_geoid: MappingProxyType[str, tuple[Designation, ...]]
    measures_by_id: MappingProxyType[str, Measure]

    @property
    def first_date(self) -> dt.date:
        dates = [m.effective for m in self.measures] + [d.listed_on for d in self.designations]
        return min(dates, default=dt.date(1979, 1, 1))

    def change_dates(self) -> tuple[dt.date, ...]:
        """Every date on which some status can change, sorted."""
        days = {m.effective for m in self.measures} | {m.ended for m in self.measures if m.ended}
        days |= {d.listed_on for d in self.designations}
        days |= {d.removed_on for d in self.designations if d.removed_on}
        return tuple(sorted(days))


def _group(items: Iterable[T], key: Callable[[T], str]) -> MappingProxyType[str, tuple[T, ...]]:
    grouped: dict[str, list[T]] = defaultdict(list)
    for item in items:
        grouped[key(item)].append(item)
    return MappingProxyType({k: tuple(v) for k, v in grouped.items()})


def build_dataset(
    measures: Iterable[Measure],
    designations: Iterable[Designation],
    config: Settings,
    problems: Iterable[Problem] = (),
) -> Dataset:
    measures = tuple(sorted(measures, key=lambda m: (m.effective, m.measure_id)))
    designations = tuple(designations)
    named_places = {
        r.geoid: r.jurisdiction for r in (*measures, *designations) if r.level == "place"
    }
    points = tuple(place_points(sorted(named_places.items())))
    gazetteer = load_gazetteer(
        config.cache_dir,
        fallback_places={p.jurisdiction.geoid: p.jurisdiction for p in points},
        fallback_place_county=counties_of_points(list(points)),
    )
    return Dataset(
        measures=measures,
        designations=designations,
        gazetteer=gazetteer,
        place_points=() if gazetteer.places_have_geometry else points,
        problems=tuple(problems),
        measures_by_geoid=_group(measures, lambda m: m.geoid),
        designations_by_geoid=_group(designations, lambda d: d.geoid),
        measures_by_id=MappingProxyType({m.measure_id: m for m in measures}),
    )


def extra_measure_sources(config: Settings) -> tuple[Measure, ...]:
    """Measures built into the cache from other sources (287(g) agreements), if any."""
    # Imported here: geodata.ice287g imports geodata.history, which imports this module.
    from geodata.ice287g import cached_agreement_measures

    return cached_agreement_measures(config.cache_dir)


@lru_cache(maxsize=4)
def _load(policies: Path, designations: Path, config: Settings, stamp: tuple) -> Dataset:
    policy_table = read_policies(policies)
    designation_table = read_designations(designations)
    return build_dataset(
        (*policy_table.records, *extra_measure_sources(config)),
        designation_table.records,
        config,
        (*policy_table.problems, *designation_table.problems),
    )


def _stamp(*paths: Path) -> tuple:
    stamps = []
    for path in paths:
        try:
            stat = Path(path).stat()
            stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
        except OSError:
            stamps.append((str(path), None, None))
    return tuple(stamps)


def load_dataset(
    policies: Path = POLICIES_PATH,
    designations: Path = DESIGNATIONS_PATH,
    config: Settings | None = None,
) -> Dataset:
    """Load and index the tables. Cached until a file (or the place cache) changes."""
    config = config or settings()
    from geodata.boundaries import places_path

    cache_files = [places_path(config.cache_dir), config.cache_dir / "agreements_287g.csv"]
    return _load(Path(policies), Path(designations), config, _stamp(policies, designations, *cache_files))
