"""Everything the views ask about, indexed once: measures, federal lists and jurisdictions.

Reading files is `geodata.load`'s job; this module only assembles what it is given.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from geodata.boundaries import Gazetteer, Jurisdiction, load_gazetteer
from geodata.config import Settings
from geodata.placepoints import PlacePoint, counties_of_points, place_points
from geodata.provenance import Evidence
from geodata.tables import Designation, Measure, Problem

T = TypeVar("T")


@dataclass(frozen=True)
class Provenance:
    """How current each source is: the "as of" every view and export must carry."""

    #: the day the policy tables last changed, if known
    policies_as_of: dt.date | None = None
    #: dates of the ICE 287(g) sheets loaded, oldest first; () when none are loaded
    ice_sheets: tuple[dt.date, ...] = ()
    #: why ICE's sheets could not be used, when a cache exists but is unreadable
    ice_problem: str = ""
    #: why the built place boundaries could not be used, when a cache exists but is damaged
    places_problem: str = ""

    @property
    def ice_loaded(self) -> bool:
        return bool(self.ice_sheets)

    @property
    def ice_as_of(self) -> dt.date | None:
        return self.ice_sheets[-1] if self.ice_sheets else None


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
    provenance: Provenance = field(default_factory=Provenance)
    #: measure_id -> what its cited page says, in our words, and when that was recorded
    evidence: Mapping[str, Evidence] = field(default_factory=dict)
    #: changes whenever a file it was loaded from changes: a key for caches built from it
    version: str = ""

    @property
    def first_date(self) -> dt.date:
        dates = [m.effective for m in self.measures] + [d.listed_on for d in self.designations]
        return min(dates, default=dt.date(1979, 1, 1))


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
    provenance: Provenance | None = None,
    evidence: Mapping[str, Evidence] | None = None,
    version: str = "",
    more_places: Iterable[tuple[Jurisdiction, str]] = (),
) -> Dataset:
    """Index everything once. `more_places` are (place, its county GEOID) pairs to draw at the city level
    beside the places with rows: every incorporated place, when the build has outlined them."""
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
        more_places=tuple(more_places),
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
        provenance=provenance or Provenance(),
        evidence=MappingProxyType(dict(evidence or {})),
        version=version,
    )
