"""Publishable maps and downloads: PNG/SVG images, the snapshot as CSV, the layer as GeoJSON.

Everything here runs server-side and is deterministic: the same dataset, date and
options give the same bytes, so an image can be cached, diffed and cited.  No
streamlit here; the app's download buttons call these functions, and so can a shell:

    python -m dashboard.export --date 2025-08-05 --level county --view effective --out map.png
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import sys
import textwrap
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from shapely.geometry import Point, mapping

from dashboard.views import CATEGORIES, NO_DATA, VIEWS, category_of, change_category
from dashboard.views import labels as category_labels
from geodata.boundaries import atlas_shapes, read_place_shapes
from geodata.config import settings
from geodata.dataset import Dataset, load_dataset
from geodata.fips import STATES, state_fips
from geodata.snapshot import JurisdictionStatus, Snapshot, compare, snapshot
from geodata.vocabulary import LEVELS

PROJECT_NAME = "Cooperation Map"
SOURCE_CREDIT = f"Source: {PROJECT_NAME} policy tables; Census Bureau boundaries"
POINTS_CREDIT = "City locations: GeoNames"
GENERATOR = "dashboard.export"
FORMATS = ("png", "svg")

LEVEL_NOUNS = MappingProxyType({"state": "state", "county": "county", "place": "city"})
LEVEL_PLURALS = MappingProxyType({"state": "states", "county": "counties", "place": "cities"})
TITLES = MappingProxyType(
    {
        "effective": "Immigration-enforcement cooperation policy by {noun}",
        "own": "Each {noun}’s own immigration-enforcement cooperation measures",
        "federal": "Federal ‘sanctuary jurisdiction’ lists by {noun}",
        "287g": "287(g) agreements with ICE by {noun}",
        "compare": "Changes in immigration-enforcement cooperation policy by {noun}",
    }
)
LEGEND_HEADINGS = MappingProxyType({**VIEWS, "compare": "Change in what applies"})
#: categories that say "nothing here"; places in them are left undrawn (there are ~30,000)
IDLE_CATEGORIES = frozenset({"none", "unchanged"})

# Albers USA style: the contiguous states in their usual equal-area projection,
# Alaska and Hawaii each in their own, moved (and Alaska shrunk) into the empty
# lower-left corner of the same plane.  tests/test_export.py checks they stay clear.
CONUS_CRS = "EPSG:5070"
ALASKA_CRS = "EPSG:3338"
HAWAII_CRS = "ESRI:102007"
REGION_CRS = MappingProxyType({"02": ALASKA_CRS, "15": HAWAII_CRS})

# Fonts and sizes: the whole page is designed at 1200x800 and scaled with the image.
FONT_FAMILY = "DejaVu Sans"
DPI = 100
DESIGN_SIZE = (1200, 800)
INK = "#1A1A1A"
MUTED = "#555555"
FAINT = "#767676"
STATE_LINE = "#8C8C8C"
BASEMAP_FILL = "#F2F2F2"
SWATCH_EDGE = "#B0B0B0"
RC_PARAMS: Mapping[str, Any] = MappingProxyType(
    {
        # DejaVu Sans ships with matplotlib, so every machine draws the same glyphs; the generic
        # family lets an SVG viewer without DejaVu fall back to a sans-serif, not to Times.
        "font.family": "sans-serif",
        "font.sans-serif": [FONT_FAMILY],
        "svg.fonttype": "none",  # text stays text: searchable, editable, testable
        "svg.hashsalt": "cooperation-map",  # fixed ids, so SVG bytes repeat
        "text.parse_math": False,  # a '$' in a title is a dollar sign, not TeX
    }
)


#: rcParams are process-global: one export at a time, so concurrent app sessions can't mix settings.
RENDER_LOCK = threading.Lock()


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
)
INSET_FIPS = tuple(i.state_fips for i in INSETS)


# --- What each jurisdiction is, for one view -----------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """One view of one level on one day: the snapshot, and each jurisdiction's category."""

    view: str
    level: str
    day: dt.date
    compare_to: dt.date | None
    snapshot: Snapshot
    category: Mapping[str, str]

    def counts(self) -> dict[str, int]:
        """Jurisdictions per category, in the view's legend order, zeros included."""
        found = Counter(self.category.values())
        return {c.key: found.get(c.key, 0) for c in CATEGORIES[self.view]}

    def within_state(self, fips: str) -> Layer:
        kept = {g: c for g, c in self.category.items() if g[:2] == fips}
        rows = tuple(r for r in self.snapshot.rows if r.geoid[:2] == fips)
        narrowed = Snapshot(self.snapshot.date, self.snapshot.level, rows)
        return Layer(self.view, self.level, self.day, self.compare_to, narrowed, MappingProxyType(kept))


def require_choice(value: str, choices: Sequence[str], what: str) -> None:
    if value not in choices:
        raise ValueError(f"unknown {what} {value!r}: use one of {', '.join(choices)}")


def agreement_ids(dataset: Dataset) -> frozenset[str]:
    """Measures that are 287(g) agreements (the same rule as `python -m geodata coverage`)."""
    return frozenset(
        m.measure_id for m in dataset.measures
        if m.instrument == "agreement" and "agreement_287g" in m.provisions
    )


def build_layer(
    dataset: Dataset, day: dt.date, level: str, view: str, compare_to: dt.date | None = None
) -> Layer:
    require_choice(level, LEVELS, "level")
    require_choice(view, tuple(CATEGORIES), "view")
    current = snapshot(day, level, dataset)
    if view == "compare":
        if compare_to is None:
            raise ValueError("the compare view needs compare_to, the earlier date")
        changes = {c.geoid: c for c in compare(snapshot(compare_to, level, dataset), current)}
        category = {r.geoid: change_category(changes.get(r.geoid)) for r in current.rows}
    else:
        agreements = agreement_ids(dataset)
        category = {r.geoid: category_of(r, view, agreements) for r in current.rows}
    compared_with = compare_to if view == "compare" else None
    return Layer(view, level, day, compared_with, current, MappingProxyType(category))


# --- Shapes and projections ----------------------------------------------------------------------


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
    """Project to the Albers USA style plane: EPSG:5070 with Alaska and Hawaii as insets."""
    fips = frame.index.str[:2]
    parts = [frame[~fips.isin(list(INSET_FIPS))].to_crs(CONUS_CRS)]
    for inset in INSETS:
        part = frame[fips == inset.state_fips]
        if not part.empty:
            moved = part.to_crs(inset.crs).geometry.affine_transform(inset_matrix(inset))
            parts.append(part.set_geometry(moved.set_crs(CONUS_CRS, allow_override=True)))
    return gpd.GeoDataFrame(pd.concat(parts), crs=CONUS_CRS).sort_index()


def region_crs(fips: str) -> str:
    """An equal-area Albers fitted to one state (Alaska and Hawaii keep their standard ones)."""
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


# --- Page layout ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """The figure and its measurements, in pixels from the lower-left corner."""

    figure: Figure
    renderer: RendererBase
    width: int
    height: int

    @property
    def scale(self) -> float:
        return min(self.width / DESIGN_SIZE[0], self.height / DESIGN_SIZE[1])

    @property
    def margin(self) -> float:
        return 28 * self.scale

    def pt(self, size: float) -> float:
        """A font or line size designed at 1200x800, scaled to this page."""
        return size * self.scale

    def extent(self, artist: Artist) -> tuple[float, float, float, float]:
        box = artist.get_window_extent(self.renderer)
        return box.x0, box.y0, box.x1, box.y1


def exact_figsize(pixels: int) -> float:
    """Inches that give exactly `pixels` at DPI: Agg truncates width*dpi, so never fall short."""
    inches = pixels / DPI
    while inches * DPI < pixels:
        inches = math.nextafter(inches, math.inf)
    return inches


def new_page(size: tuple[int, int]) -> Page:
    width, height = size
    figure = Figure(figsize=(exact_figsize(width), exact_figsize(height)), dpi=DPI, facecolor="white")
    canvas = FigureCanvasAgg(figure)
    return Page(figure, canvas.get_renderer(), width, height)


def text_width(page: Page, text: Text) -> float:
    x0, _, x1, _ = page.extent(text)
    return x1 - x0


def fit_text(page: Page, text: Text, max_width: float, min_size: float) -> None:
    """Shrink a text a little, then wrap it, until it fits `max_width` px: nothing runs off the page."""
    words = text.get_text()
    while text_width(page, text) > max_width and text.get_fontsize() > min_size:
        text.set_fontsize(max(min_size, round(text.get_fontsize() * 0.95, 2)))
    columns = len(words)
    while text_width(page, text) > max_width and columns > 8:
        columns -= max(1, columns // 20)
        text.set_text(textwrap.fill(words, columns, break_on_hyphens=False))


def add_line(page: Page, y: float, words: str, size: float, color: str, *, top: bool,
             bold: bool = False) -> Text:
    """A left-aligned line of text hanging from (top) or standing on `y` px."""
    text = page.figure.text(
        page.margin / page.width, y / page.height, words,
        ha="left", va="top" if top else "bottom", fontsize=page.pt(size), color=color,
        fontweight="bold" if bold else "normal", linespacing=1.25,
    )
    fit_text(page, text, page.width - 2 * page.margin, page.pt(size) * 0.8)
    return text


def add_heading(page: Page, title: str, subtitle: str) -> float:
    """Title and subtitle at the top; returns the y px just under them."""
    title_text = add_line(page, page.height - page.margin, title, 21, INK, top=True, bold=True)
    below_title = page.extent(title_text)[1] - page.pt(6)
    subtitle_text = add_line(page, below_title, subtitle, 14, MUTED, top=True)
    return page.extent(subtitle_text)[1]


def add_credits(page: Page, lines: Sequence[str]) -> float:
    """Source and permalink lines at the bottom, first line on top; returns the y px just above them."""
    y = page.margin * 0.7
    for words in reversed(lines):
        text = add_line(page, y, words, 9.5, FAINT, top=False)
        y = page.extent(text)[3] + page.pt(3)
    return y


def credit_lines(permalink: str | None, drew_points: bool) -> list[str]:
    source = f"{SOURCE_CREDIT}; {POINTS_CREDIT}" if drew_points else SOURCE_CREDIT
    return [source, permalink.strip()] if permalink and permalink.strip() else [source]


def legend_handle(color: str, points: bool) -> Artist:
    edge = SWATCH_EDGE if color == NO_DATA else color
    if points:
        return Line2D([], [], linestyle="none", marker="o", markersize=9, markerfacecolor=color,
                      markeredgecolor=edge, markeredgewidth=0.6)
    return Patch(facecolor=color, edgecolor=edge, linewidth=0.6)


def legend_label(label: str, count: int) -> str:
    return textwrap.fill(f"{label} ({count:,})", 30)


def add_legend(page: Page, layer: Layer, points: bool) -> Legend:
    counts = layer.counts()
    categories = CATEGORIES[layer.view]
    heading = f"{LEGEND_HEADINGS[layer.view]}\n(number of {LEVEL_PLURALS[layer.level]})"
    return page.figure.legend(
        [legend_handle(c.color, points) for c in categories],
        [legend_label(c.label, counts[c.key]) for c in categories],
        title=heading, loc="upper left", bbox_to_anchor=(0, 1), frameon=False, alignment="left",
        fontsize=page.pt(10.5), title_fontsize=page.pt(11), labelcolor=INK,
        handlelength=1.6, handleheight=1.1, handletextpad=0.7, labelspacing=0.8, borderaxespad=0,
        borderpad=0,
    )


@dataclass(frozen=True)
class Box:
    left: float
    bottom: float
    width: float
    height: float

    @property
    def top(self) -> float:
        return self.bottom + self.height

    @property
    def right(self) -> float:
        return self.left + self.width


def fit_box(area: Box, aspect: float) -> Box:
    """The largest box of `aspect` (width/height) in `area`, left-aligned and centred vertically."""
    width = min(area.width, area.height * aspect)
    height = width / aspect
    return Box(area.left, area.bottom + (area.height - height) / 2, width, height)


def place_legend(page: Page, legend: Legend, map_box: Box, floor: float) -> None:
    """Beside the map, level with its top, but never down into the credits."""
    _, y0, _, y1 = page.extent(legend)
    top = max(map_box.top, floor + (y1 - y0))
    x = map_box.right + page.pt(24)
    legend.set_bbox_to_anchor((x / page.width, top / page.height), transform=page.figure.transFigure)


# --- Drawing the map -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MapShapes:
    """Everything drawn on the map, in one projected plane."""

    jurisdictions: gpd.GeoDataFrame
    states: gpd.GeoDataFrame
    #: county outlines under the cities of a one-state map; None on national maps
    counties: gpd.GeoDataFrame | None
    extent: tuple[float, float, float, float]


def map_shapes(dataset: Dataset, level: str, region: str | None) -> MapShapes:
    states = projected_atlas("state", region)
    if level == "place":
        jurisdictions = project(jurisdiction_shapes(dataset, level), region)
    else:
        jurisdictions = projected_atlas(level, region)
    counties = projected_atlas("county", region) if region and level == "place" else None
    minx, miny, maxx, maxy = states.total_bounds
    pad = 0.015 * max(maxx - minx, maxy - miny)
    return MapShapes(jurisdictions, states, counties, (minx - pad, miny - pad, maxx + pad, maxy + pad))


def colors_for(layer: Layer, geoids: pd.Index) -> list[str]:
    palette = {c.key: c.color for c in CATEGORIES[layer.view]}
    return [palette.get(layer.category.get(g, ""), NO_DATA) for g in geoids]


def drawn_places(layer: Layer, shapes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Places worth drawing, the legend's first categories last, so they land on top."""
    order = {c.key: i for i, c in enumerate(CATEGORIES[layer.view])}
    keep = [g for g in shapes.index if layer.category.get(g, "none") not in IDLE_CATEGORIES]
    ranked = sorted(keep, key=lambda g: (-order[layer.category[g]], g))
    return shapes.loc[ranked]


def draw_polygons(ax: Axes, frame: gpd.GeoDataFrame, colors: list[str], edge: str | None,
                  linewidth: float, zorder: int) -> None:
    if not frame.empty:
        frame.plot(ax=ax, color=colors, edgecolor=edge or colors, linewidth=linewidth, zorder=zorder)


def draw_state_lines(ax: Axes, states: gpd.GeoDataFrame, color: str, linewidth: float) -> None:
    states.boundary.plot(ax=ax, color=color, linewidth=linewidth, zorder=3)


def draw_points(ax: Axes, frame: gpd.GeoDataFrame, colors: list[str], size: float) -> None:
    if not frame.empty:
        ax.scatter(frame.geometry.x, frame.geometry.y, s=size, c=colors, edgecolors="white",
                   linewidths=0.5, zorder=4)


def draw_basemap(page: Page, ax: Axes, shapes: MapShapes) -> None:
    """Light states (and, for one state, its counties) under the cities, for orientation."""
    s = page.scale
    draw_polygons(ax, shapes.states, [BASEMAP_FILL] * len(shapes.states), "white", 0.7 * s, 1)
    if shapes.counties is not None:
        shapes.counties.boundary.plot(ax=ax, color="white", linewidth=0.5 * s, zorder=1)


def draw_layer(page: Page, ax: Axes, layer: Layer, shapes: MapShapes) -> None:
    s = page.scale
    if layer.level == "state":
        draw_polygons(ax, shapes.states, colors_for(layer, shapes.states.index), "white", 0.6 * s, 1)
        return
    if layer.level == "county":
        counties = shapes.jurisdictions
        draw_polygons(ax, counties, colors_for(layer, counties.index), "white", 0.12 * s, 1)
        draw_state_lines(ax, shapes.states, "white", 0.9 * s)
        return
    draw_basemap(page, ax, shapes)
    places = drawn_places(layer, shapes.jurisdictions)
    if shapes_are_points(shapes.jurisdictions):
        # One state fills the page, so its cities can take bigger dots than the whole country's.
        area = (30 if shapes.counties is None else 55) * s * s
        draw_points(ax, places, colors_for(layer, places.index), area)
    else:
        # Edges in the fill colour keep cities of a few pixels visible at national scale.
        draw_polygons(ax, places, colors_for(layer, places.index), None, 0.3 * s, 2)


def add_map_axes(page: Page, box: Box) -> Axes:
    ax = page.figure.add_axes((box.left / page.width, box.bottom / page.height,
                               box.width / page.width, box.height / page.height))
    ax.set_axis_off()
    return ax


def frame_map(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    minx, miny, maxx, maxy = extent
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal", adjustable="datalim", anchor="C")


# --- Public API ----------------------------------------------------------------------------------


def long_date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def default_title(level: str, view: str, region: str | None = None) -> str:
    title = TITLES[view].format(noun=LEVEL_NOUNS[level])
    return f"{title}, {STATES[region]}" if region else title


def subtitle_for(day: dt.date, compare_to: dt.date | None) -> str:
    if compare_to is not None:
        return f"Changes from {long_date(compare_to)} to {long_date(day)}"
    return f"As of {long_date(day)}"


def draw_page(page: Page, dataset: Dataset, layer: Layer, region: str | None, title: str,
              permalink: str | None) -> None:
    shapes = map_shapes(dataset, layer.level, region)
    points = layer.level == "place" and shapes_are_points(shapes.jurisdictions)
    below_heading = add_heading(page, title, subtitle_for(layer.day, layer.compare_to))
    above_credits = add_credits(page, credit_lines(permalink, points))
    legend = add_legend(page, layer, points)
    legend_x0, _, legend_x1, _ = page.extent(legend)
    gap = page.pt(18)
    area = Box(page.margin, above_credits + gap, page.width - 2 * page.margin - (legend_x1 - legend_x0) - gap,
               below_heading - above_credits - 2 * gap)
    minx, miny, maxx, maxy = shapes.extent
    box = fit_box(area, (maxx - minx) / (maxy - miny))
    ax = add_map_axes(page, box)
    draw_layer(page, ax, layer, shapes)
    frame_map(ax, shapes.extent)
    place_legend(page, legend, box, above_credits + gap)


def save(figure: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "png":
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    else:
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": GENERATOR})
    return buffer.getvalue()


def render_maps(
    dataset: Dataset, day: dt.date, level: str, view: str, *, title: str | None = None,
    region: str | None = None, compare_to: dt.date | None = None, size: tuple[int, int] = (1200, 800),
    formats: Sequence[str] = FORMATS, permalink: str | None = None,
) -> dict[str, bytes]:
    """The map once, saved in each of `formats` ('png', 'svg')."""
    for fmt in formats:
        require_choice(fmt, FORMATS, "format")
    if size[0] < 200 or size[1] < 150:
        raise ValueError(f"size {size[0]}x{size[1]} is too small: at least 200x150 pixels")
    fips = parse_region(region) if region else None
    layer = build_layer(dataset, day, level, view, compare_to)
    layer = layer.within_state(fips) if fips else layer
    heading = (title or "").strip() or default_title(level, view, fips)
    with RENDER_LOCK, matplotlib.rc_context():
        # From matplotlib's defaults, not the machine's matplotlibrc: same inputs, same bytes anywhere.
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(RC_PARAMS)
        page = new_page(size)
        draw_page(page, dataset, layer, fips, heading, permalink)
        return {fmt: save(page.figure, fmt) for fmt in formats}


def render_map(
    dataset: Dataset, day: dt.date, level: str, view: str, *, title: str | None = None,
    region: str | None = None, compare_to: dt.date | None = None, size: tuple[int, int] = (1200, 800),
    fmt: str = "png", permalink: str | None = None,
) -> bytes:
    """A publishable map image (PNG or SVG) of one level and view on `day`.

    `region` is a state (postal code or FIPS) to draw alone; `compare_to` an earlier
    date, needed by the 'compare' view; `permalink` is printed under the source line.
    """
    return render_maps(dataset, day, level, view, title=title, region=region, compare_to=compare_to,
                       size=size, formats=(fmt,), permalink=permalink)[fmt]


def source_note(day: dt.date, level: str) -> str:
    return (
        f"Snapshot as of {day.isoformat()}, level {level}; source: {PROJECT_NAME} policy tables "
        f"(geodata/policies.csv, geodata/designations.csv); generated by {GENERATOR}"
    )


def snapshot_csv(dataset: Dataset, day: dt.date, level: str) -> bytes:
    """The snapshot of a level on `day` as CSV, under a comment line stamping date and source."""
    require_choice(level, LEVELS, "level")
    rows = [r.as_row() for r in snapshot(day, level, dataset).rows]
    buffer = io.StringIO()
    buffer.write(f"# {source_note(day, level)}\n")
    columns = list(rows[0]) if rows else ["geoid"]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def rounded_geometry(geometry: shapely.Geometry) -> dict[str, Any]:
    # 5 decimals of a degree is about a metre: far finer than 1:10m boundaries, and a third the size.
    return mapping(shapely.transform(geometry, lambda xy: np.round(xy, 5)))


def feature_of(geoid: str, geometry: shapely.Geometry, rows: Mapping[str, JurisdictionStatus],
               layer: Layer) -> dict[str, Any]:
    row, category = rows[geoid], layer.category[geoid]
    return {
        "type": "Feature",
        "id": geoid,
        "geometry": rounded_geometry(geometry),
        "properties": {
            "geoid": geoid,
            "name": row.name,
            "category": category,
            "category_label": category_labels(layer.view)[category],
            "own_status": row.own_status,
            "effective_status": row.effective_status,
            "federal_lists": list(row.federal_lists),
            "own_measures": list(row.own_measures),
            "inherited_measures": list(row.inherited_measures),
        },
    }


def layer_geojson(dataset: Dataset, day: dt.date, level: str, view: str, *,
                  compare_to: dt.date | None = None) -> bytes:
    """The layer on the map as GeoJSON (EPSG:4326), with a top-level `metadata` member."""
    layer = build_layer(dataset, day, level, view, compare_to)
    shapes = jurisdiction_shapes(dataset, level)
    if level == "place":
        shapes = shapes[[layer.category.get(g, "none") not in IDLE_CATEGORIES for g in shapes.index]]
    rows = layer.snapshot.by_geoid()
    features = [
        feature_of(geoid, geometry, rows, layer)
        for geoid, geometry in shapes.geometry.items() if geoid in rows
    ]
    metadata = {
        "date": day.isoformat(),
        "level": level,
        "view": view,
        "compare_to": compare_to.isoformat() if compare_to else None,
        "source": f"{PROJECT_NAME} policy tables; Census Bureau boundaries",
        "generated_by": GENERATOR,
    }
    if level == "place":
        metadata["note"] = "Places in no category (nothing applies, or no change) are left out."
    document = {"type": "FeatureCollection", "metadata": metadata, "features": features}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- Command line --------------------------------------------------------------------------------


def parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date {text!r}: use YYYY-MM-DD, e.g. 2025-08-05") from None


def parse_size(text: str) -> tuple[int, int]:
    width, sep, height = text.lower().partition("x")
    if not (sep and width.strip().isdigit() and height.strip().isdigit()):
        raise argparse.ArgumentTypeError(f"not a size {text!r}: use WIDTHxHEIGHT, e.g. 1920x1080")
    size = int(width), int(height)
    if not (200 <= size[0] <= 10_000 and 150 <= size[1] <= 10_000):
        raise argparse.ArgumentTypeError(f"size {text!r} out of range: 200x150 to 10000x10000 pixels")
    return size


def parse_region_argument(text: str) -> str:
    try:
        return parse_region(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.export",
        description="Write the map as a PNG and an SVG with the same stem.",
    )
    parser.add_argument("--date", type=parse_day, required=True, help="the day shown, YYYY-MM-DD")
    parser.add_argument("--level", choices=LEVELS, default="state")
    parser.add_argument("--view", choices=tuple(CATEGORIES),
                        help="default: effective, or compare when --compare-to is given")
    parser.add_argument("--out", type=Path, required=True, help="output .png (the .svg goes beside it)")
    parser.add_argument("--title", help="replaces the default title")
    parser.add_argument("--region", type=parse_region_argument, help="one state alone: CA, California or 06")
    parser.add_argument("--size", type=parse_size, default=(1200, 800), help="WIDTHxHEIGHT pixels (1200x800)")
    parser.add_argument("--compare-to", type=parse_day, help="earlier date for the compare view")
    parser.add_argument("--permalink", help="link printed under the source line")
    return parser


def checked_arguments(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parsed arguments, with the cross-argument rules argparse cannot express (exit 2 otherwise)."""
    args = parser.parse_args(argv)
    args.view = args.view or ("compare" if args.compare_to else "effective")
    if args.view == "compare" and args.compare_to is None:
        parser.error("--view compare needs --compare-to YYYY-MM-DD")
    if args.view != "compare" and args.compare_to is not None:
        parser.error(f"--compare-to only applies to --view compare, not --view {args.view}")
    if args.out.suffix.lower() not in {".png", ".svg"}:
        parser.error(f"--out must end in .png or .svg, not {args.out.name!r}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = checked_arguments(argument_parser(), argv)
    dataset = load_dataset()
    if dataset.problems:
        print(f"note: {len(dataset.problems)} table rows skipped; `python -m geodata check` lists them",
              file=sys.stderr)
    images = render_maps(dataset, args.date, args.level, args.view, title=args.title, region=args.region,
                         compare_to=args.compare_to, size=args.size, permalink=args.permalink)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for fmt, data in images.items():
        path = args.out.with_suffix(f".{fmt}")
        path.write_bytes(data)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
