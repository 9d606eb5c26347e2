"""The data behind a layer: the snapshot as CSV and the layer as GeoJSON, plus their metadata.

Both hold exactly the layer's rows (`Layer.rows`), so a download matches the screen jurisdiction
by jurisdiction. The CSV's first line is its header, so pandas, Excel, Google Sheets and
Datawrapper read it as it is; what it is (date, view, sources) goes in `layer_metadata`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import mapping

from dashboard.publish.credits import printable_link
from dashboard.publish.images import GENERATOR
from dashboard.publish.projection import jurisdiction_shapes
from geodata.cells import spreadsheet_safe
from geodata.config import PROJECT_NAME, settings
from geodata.dataset import Dataset
from geodata.layers import IDLE_CATEGORIES, Layer

LICENCE = "Policy tables: MIT licence; boundaries: U.S. Census Bureau (public domain)"


def layer_metadata(layer: Layer, permalink: str | None = None, publisher: str | None = None) -> dict[str, Any]:
    """What a download is: date, level, view, the sources with their dates, notices, licence.

    `permalink` is kept only if a reader elsewhere can follow it; `publisher` defaults to GEODATA_PUBLISHER.
    """
    return {
        "date": layer.day.isoformat(),
        "language": layer.lang,
        "compared_with": layer.compare_to.isoformat() if layer.compare_to else None,
        "level": layer.level,
        "view": layer.view,
        "title": layer.title(),
        "categories": {c.key: c.label for c in layer.categories},
        "definition": layer.definition,
        "sources": [str(s) for s in layer.sources],
        "notices": list(layer.notices),
        "counts": layer.counts() if layer.counts_complete else None,
        "source": f"{PROJECT_NAME} policy tables; Census Bureau boundaries",
        "licence": LICENCE,
        "publisher": publisher or settings().publisher,
        "permalink": printable_link(permalink),
        "generated_by": GENERATOR,
    }


def snapshot_csv(layer: Layer) -> bytes:
    """One row per jurisdiction, header first; text that a spreadsheet would run is neutralised."""
    rows = layer.rows()
    buffer = io.StringIO()
    columns = list(rows[0]) if rows else ["geoid"]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in rows)
    return buffer.getvalue().encode("utf-8")


def rounded_geometry(geometry: shapely.Geometry) -> dict[str, Any]:
    # 5 decimals of a degree is about a metre: far finer than 1:10m boundaries, and a third the size.
    return mapping(shapely.transform(geometry, lambda xy: np.round(xy, 5)))


def _feature(geoid: str, geometry: shapely.Geometry, row: Mapping[str, str]) -> dict[str, Any]:
    properties = {k: v for k, v in row.items() if k not in ("own_measures", "inherited_measures",
                                                             "federal_lists", "agreements_287g")}
    for key in ("own_measures", "inherited_measures", "federal_lists", "agreements_287g"):
        properties[key] = [v for v in row[key].split(";") if v]
    return {"type": "Feature", "id": geoid, "geometry": rounded_geometry(geometry), "properties": properties}


def layer_geojson(dataset: Dataset, layer: Layer, permalink: str | None = None, publisher: str | None = None) -> bytes:
    """The layer on the map as GeoJSON (EPSG:4326), with a top-level `metadata` member."""
    shapes: gpd.GeoDataFrame = jurisdiction_shapes(dataset, layer.level)
    if layer.level == "place":
        # A boolean array, not a list: an empty list would select no columns and lose the geometry.
        shapes = shapes[np.array([layer.category.get(g, "none") not in IDLE_CATEGORIES for g in shapes.index],
                                 dtype=bool)]
    rows = {row["geoid"]: row for row in layer.rows()}
    features = [_feature(geoid, geometry, rows[geoid]) for geoid, geometry in shapes.geometry.items() if geoid in rows]
    metadata = layer_metadata(layer, permalink, publisher)
    if layer.level == "place":
        metadata["note"] = layer.tr("Places in no category (none recorded, or no change) are left out.")
    document = {"type": "FeatureCollection", "metadata": metadata, "features": features}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def metadata_json(layer: Layer, permalink: str | None = None, publisher: str | None = None) -> bytes:
    """The sidecar of a CSV download: what it is, as of when, from where."""
    return json.dumps(layer_metadata(layer, permalink, publisher), ensure_ascii=False, indent=1).encode("utf-8")
