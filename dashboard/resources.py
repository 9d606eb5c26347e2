"""What the map page needs that is worth building once: cached, and shared by every reader.

Every cache is keyed on the dataset's version, so an edited table or a new build shows up on the
next run, without a restart; `max_entries` lets the old versions go.
"""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import streamlit as st

from dashboard import sections
from dashboard.geometry import POINT_CLICK_TOLERANCE, PlaceLookup, ShapeIndex, shape_index
from dashboard.longlived import long_lived
from dashboard.mapview import step_payload
from dashboard.publish.screen import screen_point
from dashboard.static_assets import ensure_static_assets, write_json
from geodata.config import settings
from geodata.dataset import Dataset
from geodata.dates import month_starts
from geodata.fips import STATES
from geodata.i18n import translator
from geodata.layers import Layer, build_layer, categories_of, counts_by_date
from geodata.placeindex import PlaceIndex
from geodata.vocabulary import level_of

LOG = logging.getLogger("cooperation_map")


@st.cache_resource(max_entries=2)
def log_problems(_data: Dataset, version: str) -> None:
    """Unusable rows, with their files' full paths, for the operator: the page shows only a count."""
    for problem in _data.problems:
        LOG.warning("table row left out: %s", problem.for_log())


@st.cache_resource(max_entries=2)
@long_lived
def assets(_data: Dataset, version: str):
    urls = ensure_static_assets(settings().cache_dir)
    # Every incorporated place's name travels in its state's outline file, loaded on zooming in; the
    # names file the page loads first holds the states, counties and the places the tables name.
    named = set(_data.measures_by_geoid) | set(_data.designations_by_geoid) | set(urls.places_drawn)
    names = {j.geoid: j.display_name for j in _data.gazetteer.jurisdictions.values()
             if j.level != "place" or j.geoid in named}
    points = []
    for p in _data.place_points:
        if p.jurisdiction.state_fips in STATES:
            y, x = screen_point(p.lat, p.lon, p.jurisdiction.state_fips)
            points.append({"geoid": p.jurisdiction.geoid, "name": p.jurisdiction.display_name,
                           "lat": round(y, 3), "lon": round(x, 3)})
    return urls, write_json("names", names), write_json("points", points) if points else None


@st.cache_resource(max_entries=6)
@long_lived
def shape_lookup(_data: Dataset, level: str, version: str) -> ShapeIndex | PlaceLookup:
    return shape_index(_data, level, settings().cache_dir)


def shapes(data: Dataset, level: str) -> ShapeIndex | PlaceLookup:
    return shape_lookup(data, level, data.version)


# About 0.7 MB for a county layer: 128 of them is under 100 MB, whatever the crowd.
@st.cache_resource(max_entries=128)
def shared_layer(_data: Dataset, version: str, day: dt.date, level: str, view: str,
                 compare_to: dt.date | None, lang: str = "en") -> tuple[Layer, dict]:
    """The layer for one (date, level, view, compare, language), and the map's payload for it, built once
    for every reader, not once per session."""
    layer = build_layer(_data, day, level, view, compare_to, lang)
    return layer, step_payload(layer)


def known_name(data: Dataset, place_index: PlaceIndex | None, geoid: str) -> str | None:
    """The display name of any jurisdiction the map knows: the dataset's, or a Census place of the index."""
    known = data.gazetteer.get(geoid)
    if known is not None:
        return known.display_name
    entry = place_index.get(geoid) if place_index is not None and len(geoid) == 7 else None
    return entry.display_name if entry is not None else None


def locate(data: Dataset, place_index: PlaceIndex | None, geoid: str) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) in the map's km: the shape's bounds, or 30 km around an indexed place."""
    level = level_of(geoid)
    bounds = shapes(data, level).bounds(geoid) if level else None
    entry = place_index.get(geoid) if bounds is None and place_index is not None else None
    if entry is None or entry.state_fips not in STATES:
        return bounds
    y, x = screen_point(entry.lat, entry.lon, entry.state_fips)
    return x - 15, y - 15, x + 15, y + 15


def jurisdiction_at(data: Dataset, level: str, clicked: dict) -> str | None:
    """The jurisdiction under a clicked point: a city before its county at city level."""
    try:
        lat, lon = float(clicked["lat"]), float(clicked["lng"])
    except (KeyError, TypeError, ValueError):
        return None
    points = level == "place" and not data.gazetteer.places_have_geometry
    hit = shapes(data, level).at(lat, lon, POINT_CLICK_TOLERANCE if points else 0.0)
    if hit is None and level == "place":
        hit = shapes(data, "county").at(lat, lon)
    return hit


@st.cache_resource(max_entries=2)
@long_lived
def agreements_frame(_data: Dataset, version: str, lang: str = "en") -> pd.DataFrame:
    agreements = [m for m in _data.measures if m.is_287g_agreement]
    first = min((m.effective for m in agreements), default=dt.date.today())
    return sections.agreements_frame(agreements, month_starts(max(first, dt.date(2005, 1, 1)), dt.date.today()),
                                     translator(lang))


@st.cache_resource(show_spinner="Counting jurisdictions over time…", max_entries=24)
@long_lived
def status_frame(_data: Dataset, level: str, view: str, version: str, lang: str = "en") -> pd.DataFrame:
    days = month_starts(_data.first_date, dt.date.today())
    return sections.counts_frame(days, counts_by_date(_data, level, view, days),
                                 categories_of(view, level, tr=translator(lang)))
