"""Where things go on the page: Albers USA style, with Alaska, Hawaii and Puerto Rico as insets, or one
state alone.

The contiguous states are drawn in their usual equal-area projection (EPSG:5070); Alaska and
Hawaii each in their own, moved (and Alaska shrunk) into the empty lower-left corner of the same
plane, and Puerto Rico in its own, enlarged twice, in the empty lower-right corner, east of
Florida's tip. `INSETS` is the one definition of where they go: the images, the live map, its
clicks and labels, and the static edition all place them through `to_national` or `national_xy`.
tests/test_publish.py checks they stay clear of the rest and inside the national extent.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from shapely.geometry import Point

from geodata.boundaries import atlas_shapes, read_place_shapes
from geodata.config import settings
from geodata.dataset import Dataset
from geodata.fips import PUERTO_RICO, STATES, state_fips

CONUS_CRS = "EPSG:5070"
ALASKA_CRS = "EPSG:3338"
HAWAII_CRS = "ESRI:102007"
#: equal-area Albers fitted to Puerto Rico (EPSG has none; its state plane, EPSG:32161, is conformal)
PUERTO_RICO_CRS = "+proj=aea +lat_0=18.2 +lat_1=17.9 +lat_2=18.5 +lon_0=-66.45 +datum=NAD83 +units=m +no_defs"
REGION_CRS = MappingProxyType({"02": ALASKA_CRS, "15": HAWAII_CRS, PUERTO_RICO: PUERTO_RICO_CRS})


@dataclass(frozen=True)
class Inset:
    state_fips: str
    crs: str
    scale: float
    #: where the lower-left corner of the state's bounding box lands, in EPSG:5070 metres
    anchor: tuple[float, float]


INSETS = (
    Inset("02", ALASKA_CRS, 0.35, (-2_420_000.0, 200_000.0)),
    Inset("15", HAWAII_CRS, 1.0, (-1_070_000.0, 200_000.0)),
    # Twice its size, or its 78 municipios would be specks: about 575 by 135 km on the plane.
    Inset(PUERTO_RICO, PUERTO_RICO_CRS, 2.0, (1_670_000.0, 240_000.0)),
)
INSET_FIPS = tuple(i.state_fips for i in INSETS)


def without_territories(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame[frame.index.str[:2].isin(list(STATES))]


def place_point_frame(dataset: Dataset) -> gpd.GeoDataFrame:
    points = sorted(dataset.place_points, key=lambda p: p.jurisdiction.geoid)
    index = pd.Index([p.jurisdiction.geoid for p in points], name="geoid", dtype=object)
    return gpd.GeoDataFrame(geometry=[Point(p.lon, p.lat) for p in points], index=index, crs=4326)


def jurisdiction_shapes(dataset: Dataset, level: str) -> gpd.GeoDataFrame:
    """A level's shapes in EPSG:4326 by GEOID; places are points unless their polygons are built."""
    if level != "place":
        return atlas_shapes(level)[["geometry"]]
    polygons = read_place_shapes(settings().cache_dir) if dataset.gazetteer.places_have_geometry else None
    if polygons is None:
        return without_territories(place_point_frame(dataset))
    return without_territories(polygons[["geometry"]].to_crs(4326))


def shapes_are_points(frame: gpd.GeoDataFrame) -> bool:
    return bool(len(frame)) and bool((frame.geom_type == "Point").all())


@lru_cache(maxsize=len(INSETS))
def inset_matrix(inset: Inset) -> tuple[float, ...]:
    """Affine matrix (shapely order) taking the state from its own projection to its inset spot."""
    minx, miny, _, _ = atlas_shapes("state").loc[[inset.state_fips]].to_crs(inset.crs).total_bounds
    s = inset.scale
    return (s, 0.0, 0.0, s, inset.anchor[0] - s * minx, inset.anchor[1] - s * miny)


def to_national(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Project to the Albers USA style plane: EPSG:5070 with Alaska, Hawaii and Puerto Rico as insets."""
    fips = frame.index.str[:2]
    parts = [frame[~fips.isin(list(INSET_FIPS))].to_crs(CONUS_CRS)]
    for inset in INSETS:
        part = frame[fips == inset.state_fips]
        if not part.empty:
            moved = part.to_crs(inset.crs).geometry.affine_transform(inset_matrix(inset))
            parts.append(part.set_geometry(moved.set_crs(CONUS_CRS, allow_override=True)))
    return gpd.GeoDataFrame(pd.concat(parts), crs=CONUS_CRS).sort_index()


@lru_cache(maxsize=4)
def _transformer(crs: str) -> Transformer:
    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)


def national_xy(lon: np.ndarray, lat: np.ndarray, fips: str) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes in one state to the national plane (metres), as `to_national` places them.

    The same projections and inset moves, point by point: for geometry that is not a GeoDataFrame
    (the browser's TopoJSON arcs, label and click positions).
    """
    inset = next((i for i in INSETS if i.state_fips == fips), None)
    x, y = _transformer(inset.crs if inset else CONUS_CRS).transform(np.asarray(lon), np.asarray(lat))
    if inset is None:
        return np.asarray(x), np.asarray(y)
    a, b, d, e, xoff, yoff = inset_matrix(inset)
    return a * x + b * y + xoff, d * x + e * y + yoff


def region_crs(fips: str) -> str:
    """An equal-area Albers fitted to one state (Alaska, Hawaii and Puerto Rico keep their insets' own)."""
    if fips in REGION_CRS:
        return REGION_CRS[fips]
    minx, miny, maxx, maxy = atlas_shapes("state").loc[[fips]].total_bounds
    span = maxy - miny
    return (
        f"+proj=aea +lat_0={(miny + maxy) / 2:.2f} +lat_1={miny + span / 6:.2f} +lat_2={maxy - span / 6:.2f}"
        f" +lon_0={(minx + maxx) / 2:.2f} +datum=NAD83 +units=m +no_defs"
    )


def to_region(frame: gpd.GeoDataFrame, fips: str) -> gpd.GeoDataFrame:
    return frame[frame.index.str[:2] == fips].to_crs(region_crs(fips))


def project(frame: gpd.GeoDataFrame, region: str | None) -> gpd.GeoDataFrame:
    return to_region(frame, region) if region else to_national(frame)


@lru_cache(maxsize=8)
def projected_atlas(level: str, region: str | None) -> gpd.GeoDataFrame:
    """States or counties, projected; cached because national counties take a second to project."""
    return project(atlas_shapes(level)[["geometry"]], region)


def parse_region(text: str) -> str:
    """State FIPS for a postal code, name or FIPS ('CA', 'California', '06'); ValueError if none."""
    fips = state_fips(text)
    if fips is None:
        raise ValueError(
            f"unknown region {text!r}: use a state postal code such as CA, or a FIPS code such as 06"
        )
    return fips
