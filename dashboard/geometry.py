"""Server-side geometry questions: which jurisdiction is at a clicked point, and where is it.

A click on the map comes back from streamlit-folium as a latitude and longitude,
not a feature id, so the point is looked up here against the same shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geodata.boundaries import atlas_shapes, read_place_shapes
from geodata.dataset import Dataset

#: a city drawn as a point (no boundaries built) is hit by clicks this close, in degrees (~15 km)
POINT_CLICK_TOLERANCE = 0.15


@dataclass(frozen=True)
class ShapeIndex:
    geoids: tuple[str, ...]
    shapes: np.ndarray
    tree: shapely.STRtree

    @classmethod
    def of(cls, frame: gpd.GeoDataFrame) -> ShapeIndex:
        shapes = np.asarray(frame.geometry.values)
        return cls(tuple(frame["geoid"]), shapes, shapely.STRtree(shapes))

    def at(self, lat: float, lon: float, tolerance: float = 0.0) -> str | None:
        point = shapely.Point(lon, lat)
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
        try:
            index = self.geoids.index(geoid)
        except ValueError:
            return None
        west, south, east, north = shapely.bounds(self.shapes[index])
        if east - west > 180:
            # Alaska's Aleutians cross the antimeridian: measure its extent with them west of -180.
            shifted = shapely.transform(self.shapes[index], lambda xy: xy - [[360, 0]] * (xy[:, :1] > 0))
            west, south, east, north = shapely.bounds(shifted)
        return float(west), float(south), float(east), float(north)


def shape_index(dataset: Dataset, level: str, cache_dir: Path) -> ShapeIndex:
    if level in ("state", "county"):
        return ShapeIndex.of(atlas_shapes(level).reset_index(drop=True))
    places = read_place_shapes(cache_dir)
    if places is not None:
        return ShapeIndex.of(places.reset_index(drop=True))
    points = gpd.GeoDataFrame(
        {"geoid": [p.jurisdiction.geoid for p in dataset.place_points]},
        geometry=[shapely.Point(p.lon, p.lat) for p in dataset.place_points],
        crs=4326,
    )
    return ShapeIndex.of(points)
