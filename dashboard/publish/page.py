"""The page around the map: fonts, title, legend and credits, laid out in pixels.

The whole page is designed at 1200x800 and scaled with the image, so a 1920x1080 export
reads like the 1200x800 one, only sharper.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from matplotlib.artist import Artist
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from geodata.i18n import ENGLISH, Translator
from geodata.layers import NO_DATA, Layer, level_words

FONT_FAMILY = "DejaVu Sans"
DPI = 100
DESIGN_SIZE = (1200, 800)
INK = "#1A1A1A"
MUTED = "#555555"
FAINT = "#767676"
BASEMAP_FILL = "#F2F2F2"
SWATCH_EDGE = "#B0B0B0"
#: between the map and the legend, designed px
LEGEND_GAP = 24
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
    if text_width(page, text) <= max_width:
        return
    # The widest wrap that fits: binary search on the line length in characters, then step down
    # until it fits (a wrap's width is not quite monotonic in its length).
    narrow, wide = 8, len(words)
    while wide - narrow > 1:
        columns = (narrow + wide) // 2
        text.set_text(textwrap.fill(words, columns, break_on_hyphens=False))
        narrow, wide = (columns, wide) if text_width(page, text) <= max_width else (narrow, columns)
    columns = narrow
    text.set_text(textwrap.fill(words, columns, break_on_hyphens=False))
    while text_width(page, text) > max_width and columns > 8:
        columns -= 1
        text.set_text(textwrap.fill(words, columns, break_on_hyphens=False))


def add_line(page: Page, y: float, words: str, size: float, color: str, *, top: bool,
             bold: bool = False, italic: bool = False, shrink: float = 0.8) -> Text:
    """A left-aligned line of text hanging from (top) or standing on `y` px; a long one is shrunk to
    `shrink` times its size, then wrapped."""
    text = page.figure.text(
        page.margin / page.width, y / page.height, words,
        ha="left", va="top" if top else "bottom", fontsize=page.pt(size), color=color,
        fontweight="bold" if bold else "normal", fontstyle="italic" if italic else "normal", linespacing=1.25,
    )
    fit_text(page, text, page.width - 2 * page.margin, page.pt(size) * shrink)
    return text


def add_heading(page: Page, title: str, subtitle: str, mark: str | None = None) -> float:
    """Title, the mark of a custom title (if any) and the subtitle at the top; returns the y px under them."""
    title_text = add_line(page, page.height - page.margin, title, 21, INK, top=True, bold=True)
    y = page.extent(title_text)[1] - page.pt(6)
    if mark:
        mark_text = add_line(page, y, mark, 11, MUTED, top=True, italic=True)
        y = page.extent(mark_text)[1] - page.pt(5)
    subtitle_text = add_line(page, y, subtitle, 14, MUTED, top=True)
    return page.extent(subtitle_text)[1]


def add_credits(page: Page, lines: Sequence[str]) -> float:
    """The credit block at the bottom, first line on top; returns the y px just above it."""
    y = page.margin * 0.7
    for words in reversed(lines):
        # Wrapped, never shrunk: the credit is already the smallest text that must stay legible.
        text = add_line(page, y, words, 9.5, FAINT, top=False, shrink=1.0)
        y = page.extent(text)[3] + page.pt(3)
    return y


def legend_handle(color: str, points: bool) -> Artist:
    edge = SWATCH_EDGE if color == NO_DATA else color
    if points:
        return Line2D([], [], linestyle="none", marker="o", markersize=9, markerfacecolor=color,
                      markeredgecolor=edge, markeredgewidth=0.6)
    return Patch(facecolor=color, edgecolor=edge, linewidth=0.6)


def legend_label(label: str, count: int | None, tr: Translator = ENGLISH) -> str:
    return textwrap.fill(label if count is None else f"{label} ({tr.number(count)})", 30)


def add_legend(page: Page, layer: Layer, points: bool) -> Legend:
    """The layer's categories, with counts only when the sources behind them are complete."""
    counts = layer.counts()
    tr = layer.tr
    plural = level_words(layer.level, tr).plural
    counted = tr("number of {plural}", plural=plural) if layer.counts_complete else tr("counts incomplete")
    heading = f"{layer.heading}\n({counted})"
    return page.figure.legend(
        [legend_handle(c.color, points) for c in layer.categories],
        [legend_label(c.label, counts[c.key] if layer.counts_complete else None, tr) for c in layer.categories],
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
    x = map_box.right + page.pt(LEGEND_GAP)
    legend.set_bbox_to_anchor((x / page.width, top / page.height), transform=page.figure.transFigure)

