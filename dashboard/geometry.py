"""Server-side geometry questions: which jurisdiction is at a clicked point, and where is it.

A click on the map comes back from streamlit-folium as a (lat, lng) pair, not a feature id. The
map's plane is the exports' Albers USA plane in km (dashboard/publish/screen.py), so the pair is
(y, x) there, and it is looked up against the same shapes, projected the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard.publish.screen import to_screen
from geodata.boundaries import atlas_shapes, read_place_shapes
from geodata.dataset import Dataset
from geodata.fips import STATES
from geodata.placeoutlines import read_place_outlines

#: a city drawn as a point (no boundaries built) is hit by clicks this close, in km
POINT_CLICK_TOLERANCE = 15.0


@dataclass(frozen=True)
class ShapeIndex:
    geoids: tuple[str, ...]
    shapes: np.ndarray
    tree: shapely.STRtree

    @classmethod
    def of(cls, frame: gpd.GeoDataFrame) -> ShapeIndex:
        """From a frame indexed by GEOID."""
        shapes = np.asarray(frame.geometry.values)
        return cls(tuple(frame.index), shapes, shapely.STRtree(shapes))

    def at(self, y: float, x: float, tolerance: float = 0.0) -> str | None:
        point = shapely.Point(x, y)
        hits = self.tree.query(point, predicate="intersects")
        if len(hits):
            # The smallest shape wins: a city over its county.
            best = min(hits, key=lambda i: shapely.area(self.shapes[i]))
            return self.geoids[best]
        if tolerance:
            nearest = self.tree.query_nearest(point, max_distance=tolerance)
            if len(nearest):
                return self.geoids[int(nearest[0])]
        return None

    def bounds(self, geoid: str) -> tuple[float, float, float, float] | None:
        """(west, south, east, north) in km."""
        try:
            index = self.geoids.index(geoid)
        except ValueError:
            return None
        west, south, east, north = shapely.bounds(self.shapes[index])
        return float(west), float(south), float(east), float(north)


class PlaceLookup:
    """The city level: the places the tables name first, then every incorporated place of the state
    clicked in, whose outlines are projected the first time someone clicks in that state."""

    def __init__(self, named: ShapeIndex, cache_dir: Path) -> None:
        self.named = named
        self.cache_dir = cache_dir
        self.states = ShapeIndex.of(to_screen(atlas_shapes("state")[["geometry"]]))
        self._by_state: dict[str, ShapeIndex | None] = {}

    def _outlines(self, state: str) -> ShapeIndex | None:
        if state not in self._by_state:
            frame = read_place_outlines(self.cache_dir, state)
            self._by_state[state] = ShapeIndex.of(to_screen(frame[["geometry"]])) if frame is not None else None
        return self._by_state[state]

    def at(self, y: float, x: float, tolerance: float = 0.0) -> str | None:
        hit = self.named.at(y, x, tolerance)
        if hit is not None:
            return hit
        state = self.states.at(y, x)
        outlines = self._outlines(state) if state else None
        return outlines.at(y, x) if outlines is not None else None

    def bounds(self, geoid: str) -> tuple[float, float, float, float] | None:
        found = self.named.bounds(geoid)
        if found is None and geoid[:2] in STATES:
            outlines = self._outlines(geoid[:2])
            found = outlines.bounds(geoid) if outlines is not None else None
        return found


def shape_index(dataset: Dataset, level: str, cache_dir: Path) -> ShapeIndex | PlaceLookup:
    if level in ("state", "county"):
        return ShapeIndex.of(to_screen(atlas_shapes(level)[["geometry"]]))
    places = read_place_shapes(cache_dir)
    if places is not None:
        places = places[places.index.str[:2].isin(list(STATES))]
        return PlaceLookup(ShapeIndex.of(to_screen(places[["geometry"]])), cache_dir)
    points = dataset.place_points
    frame = gpd.GeoDataFrame(
        geometry=[shapely.Point(p.lon, p.lat) for p in points],
        index=pd.Index([p.jurisdiction.geoid for p in points], dtype=object), crs=4326,
    )
    return ShapeIndex.of(to_screen(frame[frame.index.str[:2].isin(list(STATES))]))
