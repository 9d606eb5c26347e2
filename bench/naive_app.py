"""The baseline the targets are measured against: rebuild the folium map on every step and click.

This is the obvious streamlit-folium choropleth: GeoJson with a style_function and a
tooltip, built from the county GeoDataFrame on every rerun. Only `make bench` runs it.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import folium
import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.mapview import _Script
from dashboard.sections import details_panel
from dashboard.static_assets import ensure_static_assets
from geodata.atlas import ARTIFACT
from geodata.dates import month_starts
from geodata.layers import CATEGORIES
from geodata.load import load_dataset
from geodata.snapshot import snapshot

data = load_dataset()
options = month_starts(dt.date(2016, 1, 1), dt.date(2025, 12, 1))
day = st.select_slider("Date", options=options, value=dt.date(2018, 6, 1), key="date")
status = {r.geoid: r.effective_status for r in snapshot(day, "county", data).rows}
palette = {c.key: c.color for c in CATEGORIES["effective"]}
counties = gpd.read_file(ARTIFACT, layer="counties").set_crs(4326).rename(columns={"id": "geoid"})
counties["status"] = counties["geoid"].map(status)
fmap = folium.Map(location=(39.5, -98.5), zoom_start=4, tiles=None)
# No internet here: the same local Leaflet as the real app (the naive part is the rest).
urls = ensure_static_assets(Path("/nonexistent"), Path(__file__).parent / "static")
fmap.default_js = [("leaflet", urls.leaflet_js)]
fmap.default_css = [("leaflet_css", urls.leaflet_css)]
folium.GeoJson(
    counties,
    style_function=lambda f: {"fillColor": palette[f["properties"]["status"]], "color": "#fff", "weight": 0.3,
                              "fillOpacity": 1},
    tooltip=folium.GeoJsonTooltip(["name", "status"]),
).add_to(fmap)
# A marker the benchmark waits for: the repaint for this date is done once it appears.
fmap.add_child(_Script(f"document.documentElement.dataset.cmDate = '{day.isoformat()}';"))
clicked = st_folium(fmap, height=560, use_container_width=True, returned_objects=["last_active_drawing"])
# The obvious click handling: streamlit-folium returns the clicked feature, the script reruns.
drawing = (clicked or {}).get("last_active_drawing") or {}
geoid = (drawing.get("properties") or {}).get("geoid")
if geoid and data.gazetteer.get(geoid):
    details_panel(data, geoid, day)
