"""Renderers that need no server: map images, data downloads and the command line.

No streamlit here. Each renderer draws a `geodata.layers.Layer` and recomputes nothing, so an
image or a download says what the app's map says. The app's buttons call these functions,
and so can a shell: `python -m dashboard.publish --help`.

The names below are loaded on first use, so that a light module (the URL parser, which needs
only `dashboard.publish.titles`) does not load matplotlib and geopandas with this package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dashboard.publish.credits import Credit, printable_link
    from dashboard.publish.downloads import layer_geojson, layer_metadata, metadata_json, snapshot_csv
    from dashboard.publish.images import render_layer, render_map
    from dashboard.publish.titles import MAX_TITLE, checked_title, cleaned_title

_HOMES = {
    "Credit": "credits", "printable_link": "credits",
    "layer_geojson": "downloads", "layer_metadata": "downloads", "metadata_json": "downloads",
    "snapshot_csv": "downloads",
    "render_layer": "images", "render_map": "images",
    "MAX_TITLE": "titles", "checked_title": "titles", "cleaned_title": "titles",
}

__all__ = ["MAX_TITLE", "Credit", "checked_title", "cleaned_title", "layer_geojson", "layer_metadata",
           "metadata_json", "printable_link", "render_layer", "render_map", "snapshot_csv"]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
