"""Renderers that need no server: map images, data downloads and the command line.

No streamlit here. Each renderer draws a `geodata.layers.Layer` and recomputes nothing, so an
image or a download says what the app's map says. The app's buttons call these functions,
and so can a shell: `python -m dashboard.publish --help`.
"""

from dashboard.publish.downloads import layer_geojson, layer_metadata, metadata_json, snapshot_csv
from dashboard.publish.images import MAX_TITLE, render_layer, render_map

__all__ = ["MAX_TITLE", "layer_geojson", "layer_metadata", "metadata_json", "render_layer", "render_map",
           "snapshot_csv"]
