"""Publishable map images: PNG and SVG of one layer, the same bytes for the same inputs.

Everything on the image (categories, counts, labels, notices, "as of") comes from the layer
(`geodata.layers`), so the image says what the app's map says.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Sequence

import matplotlib
from matplotlib.figure import Figure

from dashboard.publish.drawing import add_map_axes, draw_layer, frame_map, map_shapes, shapes_are_points
from dashboard.publish.page import (
    DPI,
    RC_PARAMS,
    Box,
    Page,
    add_credits,
    add_heading,
    add_legend,
    fit_box,
    new_page,
    place_legend,
)
from dashboard.publish.projection import parse_region
from geodata.dataset import Dataset
from geodata.fips import STATES
from geodata.layers import Layer, build_layer, require_choice

PROJECT_NAME = "Cooperation Map"
SOURCE_CREDIT = f"Source: {PROJECT_NAME} policy tables; Census Bureau boundaries"
POINTS_CREDIT = "City locations: GeoNames"
GENERATOR = "dashboard.publish"
FORMATS = ("png", "svg")
#: a longer title would be shrunk past reading; the app and the command line say so instead
MAX_TITLE = 150

#: rcParams are process-global: one export at a time, so concurrent app sessions can't mix settings.
RENDER_LOCK = threading.Lock()


def credit_lines(layer: Layer, permalink: str | None, drew_points: bool) -> list[str]:
    """Notices, sources with their dates, and the permalink: under the map, first line on top."""
    source = f"{SOURCE_CREDIT}; {POINTS_CREDIT}" if drew_points else SOURCE_CREDIT
    lines = [*layer.notices, f"{source}. {layer.as_of}."]
    if permalink and permalink.strip():
        lines.append(permalink.strip())
    return lines


def draw_page(page: Page, dataset: Dataset, layer: Layer, region: str | None, title: str,
              permalink: str | None) -> None:
    shapes = map_shapes(dataset, layer.level, region)
    points = layer.level == "place" and shapes_are_points(shapes.jurisdictions)
    below_heading = add_heading(page, title, layer.subtitle)
    above_credits = add_credits(page, credit_lines(layer, permalink, points))
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


def checked_title(title: str | None) -> str | None:
    """A custom title, stripped; ValueError when it is too long to print legibly."""
    title = (title or "").strip()
    if len(title) > MAX_TITLE:
        raise ValueError(f"the title is {len(title)} characters long: at most {MAX_TITLE} fit on the image")
    return title or None


def render_layer(
    dataset: Dataset, layer: Layer, *, title: str | None = None, region: str | None = None,
    size: tuple[int, int] = (1200, 800), formats: Sequence[str] = FORMATS, permalink: str | None = None,
) -> dict[str, bytes]:
    """One layer drawn once, saved in each of `formats` ('png', 'svg')."""
    for fmt in formats:
        require_choice(fmt, FORMATS, "format")
    if size[0] < 200 or size[1] < 150:
        raise ValueError(f"size {size[0]}x{size[1]} is too small: at least 200x150 pixels")
    fips = parse_region(region) if region else None
    layer = layer.within_state(fips) if fips else layer
    heading = checked_title(title) or layer.title(STATES[fips] if fips else None)
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

    `region` is a state (postal code or FIPS) to draw alone; `compare_to` an earlier date to
    show changes since; `permalink` is printed under the source line.
    """
    layer = build_layer(dataset, day, level, view, compare_to)
    return render_layer(dataset, layer, title=title, region=region, size=size, formats=(fmt,),
                        permalink=permalink)[fmt]

