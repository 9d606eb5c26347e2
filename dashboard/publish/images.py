"""Publishable map images: PNG and SVG of one layer, the same bytes for the same inputs.

Everything on the image (categories, counts, labels, notices, "as of", what the categories mean)
comes from the layer (`geodata.layers`), so the image says what the app's map says. The credit
block names the publisher and prints a link only where a reader can follow it
(`dashboard.publish.credits`); a custom title is marked as such (`dashboard.publish.titles`).
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
from matplotlib.figure import Figure

from dashboard.publish.credits import Credit, credit_lines, image_link
from dashboard.publish.drawing import MapShapes, add_map_axes, draw_layer, frame_map, map_shapes, shapes_are_points
from dashboard.publish.page import (
    DPI,
    LEGEND_GAP,
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
from dashboard.publish.titles import checked_title, custom_mark, is_custom
from geodata.dataset import Dataset
from geodata.fips import STATES
from geodata.layers import Layer, build_layer, require_choice

GENERATOR = "dashboard.publish"
FORMATS = ("png", "svg")

#: rcParams are process-global: one export at a time, so concurrent app sessions can't mix settings.
RENDER_LOCK = threading.Lock()


@dataclass(frozen=True)
class Heading:
    """The lines above the map: the title, the custom-title mark (if any), and the subtitle."""

    title: str
    subtitle: str
    #: set only when `title` is a custom one
    mark: str | None = None

    @property
    def custom(self) -> bool:
        return self.mark is not None


def heading_for(layer: Layer, title: str | None, publisher: str, region_name: str | None = None) -> Heading:
    """The project's title and subtitle, or a custom title over the mark and the project's own title.

    ValueError when `title` breaks the custom-title rule.
    """
    default = layer.title(region_name)
    custom = checked_title(title)
    if not is_custom(custom, default):
        return Heading(default, layer.subtitle)
    return Heading(custom, f"{default} · {layer.subtitle}", custom_mark(publisher, layer.tr))


def draw_page(page: Page, layer: Layer, shapes: MapShapes, heading: Heading, credits: Sequence[str]) -> None:
    below_heading = add_heading(page, heading.title, heading.subtitle, heading.mark)
    above_credits = add_credits(page, credits)
    legend = add_legend(page, layer, points_drawn(layer, shapes))
    legend_x0, _, legend_x1, _ = page.extent(legend)
    gap = page.pt(18)
    area = Box(page.margin, above_credits + gap,
               page.width - 2 * page.margin - (legend_x1 - legend_x0) - page.pt(LEGEND_GAP),
               below_heading - above_credits - 2 * gap)
    minx, miny, maxx, maxy = shapes.extent
    box = fit_box(area, (maxx - minx) / (maxy - miny))
    ax = add_map_axes(page, box)
    draw_layer(page, ax, layer, shapes)
    frame_map(ax, shapes.extent)
    place_legend(page, legend, box, above_credits + gap)


def points_drawn(layer: Layer, shapes: MapShapes) -> bool:
    """Whether cities are drawn as points (GeoNames locations) rather than Census shapes."""
    return layer.level == "place" and shapes_are_points(shapes.jurisdictions)


def image_metadata(fmt: str, heading: Heading, credit: Credit, link: str | None) -> dict[str, str | None]:
    """What the file says of itself (PNG text chunks, SVG Dublin Core): title, publisher, link; no dates."""
    description = " ".join(filter(None, (heading.mark, heading.subtitle)))
    if fmt == "png":
        metadata: dict[str, str | None] = {"Software": None, "Title": heading.title, "Author": credit.publisher,
                                           "Description": description}
    else:
        metadata = {"Date": None, "Creator": GENERATOR, "Title": heading.title, "Publisher": credit.publisher,
                    "Description": description}
    if link:
        metadata["Source"] = link
    return metadata


def save(figure: Figure, fmt: str, metadata: dict[str, str | None]) -> bytes:
    buffer = io.BytesIO()
    if fmt == "png":
        figure.savefig(buffer, format="png", dpi=DPI, metadata=metadata)
    else:
        figure.savefig(buffer, format="svg", metadata=metadata)
    return buffer.getvalue()


def render_layer(
    dataset: Dataset, layer: Layer, *, title: str | None = None, region: str | None = None,
    size: tuple[int, int] = (1200, 800), formats: Sequence[str] = FORMATS, permalink: str | None = None,
    credit: Credit | None = None,
) -> dict[str, bytes]:
    """One layer drawn once, saved in each of `formats` ('png', 'svg').

    `title` is a custom title (printed over the project's own, with a mark); `permalink` is printed
    only if a reader elsewhere can follow it, and otherwise the layer's view at the public URL is;
    `credit` defaults to GEODATA_PUBLISHER and GEODATA_PUBLIC_URL.
    """
    for fmt in formats:
        require_choice(fmt, FORMATS, "format")
    if size[0] < 200 or size[1] < 150:
        raise ValueError(f"size {size[0]}x{size[1]} is too small: at least 200x150 pixels")
    credit = credit or Credit.configured()
    fips = parse_region(region) if region else None
    layer = layer.within_state(fips) if fips else layer
    heading = heading_for(layer, title, credit.publisher, STATES[fips] if fips else None)
    link = image_link(credit, layer, permalink)
    shapes = map_shapes(dataset, layer.level, fips)
    credits = credit_lines(layer, credit, link, points_drawn(layer, shapes))
    with RENDER_LOCK, matplotlib.rc_context():
        # From matplotlib's defaults, not the machine's matplotlibrc: same inputs, same bytes anywhere.
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(RC_PARAMS)
        page = new_page(size)
        draw_page(page, layer, shapes, heading, credits)
        return {fmt: save(page.figure, fmt, image_metadata(fmt, heading, credit, link)) for fmt in formats}


def render_map(
    dataset: Dataset, day: dt.date, level: str, view: str, *, title: str | None = None,
    region: str | None = None, compare_to: dt.date | None = None, size: tuple[int, int] = (1200, 800),
    fmt: str = "png", permalink: str | None = None, credit: Credit | None = None, lang: str = "en",
) -> bytes:
    """A publishable map image (PNG or SVG) of one level and view on `day`.

    `region` is a state (postal code or FIPS) to draw alone; `compare_to` an earlier date to
    show changes since; `title`, `permalink` and `credit` as for `render_layer`.
    """
    layer = build_layer(dataset, day, level, view, compare_to, lang)
    return render_layer(dataset, layer, title=title, region=region, size=size, formats=(fmt,),
                        permalink=permalink, credit=credit)[fmt]

