"""Publish and share: images, permalink, embed snippet, and the data behind the view.

Links use GEODATA_PUBLIC_URL when it is set, else the browser's address; images carry a link only
when GEODATA_PUBLIC_URL is set, never a local one. A custom title keeps to the rule of
`dashboard.publish.titles`: cleaned here as it is typed, printed on images over the project's own
title with a mark, kept in the permalink, and left out of the embed snippet.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType
from urllib.parse import urlencode, urlsplit

import streamlit as st

from dashboard import publish
from dashboard.publish.credits import Credit, permalink
from dashboard.publish.projection import parse_region
from dashboard.publish.titles import cleaned_title, custom_mark
from dashboard.text import md_escape
from dashboard.urlstate import ViewState, to_params
from geodata.config import settings
from geodata.dataset import Dataset
from geodata.fips import ABBREVIATIONS, STATES
from geodata.i18n import ENGLISH, Translator
from geodata.layers import Layer
from geodata.tables import DESIGNATIONS_PATH, POLICIES_PATH

__all__ = ["EMBED_HEIGHTS", "embed_height", "embed_snippet", "file_stem", "page_base", "permalink",
           "share_section"]

DEFAULT_BASE = "http://localhost:8501/"
# The embed page's height in headless Chromium, by the width of the column it sits in (README,
# Publishing): a view with no notice above the map, plus 16 px to spare. From 640 px the legend sits
# beside the map and the page stops growing; narrower, the legend and credit stack under the map.
# tests/test_browser.py checks that the page fits.
EMBED_HEIGHTS: Mapping[int, int] = MappingProxyType({320: 955, 600: 861, 760: 600, 1000: 600})
#: each notice above the map (up to five lines at 320 px, two from 600 px on, with the gap between them)
EMBED_NOTICE_HEIGHTS: Mapping[int, int] = MappingProxyType({320: 168, 600: 96, 760: 96, 1000: 96})
#: each legend row past the fourth (a comparison has five or six)
EMBED_ROW_HEIGHT = 28
DEFAULT_EMBED_WIDTH = 760


def page_base(url: str | None, public_url: str | None = None) -> str:
    """The app's address without query string: GEODATA_PUBLIC_URL when set, else from the browser's URL."""
    public = public_url or settings().public_url
    if public:
        return public
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return DEFAULT_BASE
    return f"{parts.scheme}://{parts.netloc}{parts.path or '/'}"


def embed_height(width: int = DEFAULT_EMBED_WIDTH, notices: int = 0, rows: int = 4) -> int:
    """The iframe height (px) that shows the embed page without scrolling in a column `width` px wide,
    with `notices` notices above the map and `rows` legend rows; widths between those measured take
    the narrower one's figures, which are the taller."""
    measured = max((w for w in EMBED_HEIGHTS if w <= width), default=min(EMBED_HEIGHTS))
    return (EMBED_HEIGHTS[measured] + notices * EMBED_NOTICE_HEIGHTS[measured]
            + max(0, rows - 4) * EMBED_ROW_HEIGHT)


def embed_snippet(base: str, state: ViewState, width: int = DEFAULT_EMBED_WIDTH, layer: Layer | None = None,
                  tr: Translator | None = None) -> str:
    """An iframe of the embed page, as tall as `layer` (its notices and legend) needs in a column `width` px
    wide; without the layer, as tall as a view with no notice needs.

    Never with a custom title: on another site's page it would pass for the project's own, and that
    page has a headline of its own.
    """
    src = base + "?" + urlencode(to_params(replace(state, embed=True, title=None)))
    height = embed_height(width, len(layer.notices), len(layer.categories)) if layer else embed_height(width)
    tr = tr or (layer.tr if layer else ENGLISH)
    name = tr("Immigration-enforcement cooperation map")
    return (
        f'<iframe src="{html.escape(src, quote=True)}" title="{html.escape(name)}"'
        f' width="100%" height="{height}" style="border:0" loading="lazy"></iframe>'
    )


def file_stem(state: ViewState, view: str) -> str:
    stem = f"cooperation-map_{state.level}_{view}_{state.date.isoformat()}"
    return stem if state.lang == "en" else f"{stem}_{state.lang}"


def share_section(data: Dataset, state: ViewState, layer: Layer) -> None:
    config = settings()
    credit = Credit.configured(config)
    tr = layer.tr
    title, title_notices = cleaned_title(state.title, tr)
    state = replace(state, title=title)
    base = page_base(st.context.url, config.public_url)
    link = permalink(base, state)
    # Only a configured public address goes on an image or in a download's metadata, never the browser's,
    # and without the custom title: it leads to the view under the project's own title.
    public_link = permalink(base, replace(state, title=None)) if config.public_url else None
    stem = file_stem(state, f"{layer.view}-compare" if layer.compared else layer.view)
    st.subheader(tr("Publish and share"))
    images, links, downloads = st.columns(3)
    with images:
        st.markdown("**" + tr("Image") + "**")
        st.text_input(tr("Title"), key="title", placeholder=layer.title(), max_chars=publish.MAX_TITLE)
        for notice in title_notices:
            st.caption(notice)
        if title:
            st.caption(tr("A custom title is printed over the map's own title, marked “{mark}”",
                          mark=custom_mark(credit.publisher, tr)))
        regions = ["", *sorted(ABBREVIATIONS.values())]
        st.selectbox(
            tr("Area"), regions, key="region",
            format_func=lambda r: tr("United States") if not r else f"{STATES[parse_region(r)]} ({r})",
        )
        region = st.session_state.get("region") or None
        for label, size, fmt in (("PNG 1200×800", (1200, 800), "png"), ("PNG 1920×1080", (1920, 1080), "png"),
                                 ("SVG", (1200, 800), "svg")):
            st.download_button(
                label, data=_image(data, layer, title, region, size, fmt, public_link, credit),
                file_name=f"{stem}_{size[0]}x{size[1]}.{fmt}",
                mime="image/png" if fmt == "png" else "image/svg+xml", on_click="ignore",
                key=f"image-{fmt}-{size[0]}",
            )
        if not config.public_url:
            st.caption(tr("Images carry no link: set GEODATA_PUBLIC_URL to the app's public address to print one."))
        for line in config.ignored:
            st.caption(md_escape(line))
    with links:
        st.markdown("**" + tr("Permalink") + "**")
        st.code(link, language=None, wrap_lines=True)
        st.markdown("**" + tr("Embed") + "**")
        width = st.selectbox(tr("Column width"), list(EMBED_HEIGHTS), key="embed_width",
                             index=list(EMBED_HEIGHTS).index(DEFAULT_EMBED_WIDTH), format_func=lambda w: f"{w} px")
        st.code(embed_snippet(base, state, width, layer), language="html", wrap_lines=True)
    with downloads:
        st.markdown("**" + tr("Data") + "**")
        today = dt.date.today()
        st.download_button(
            tr("Snapshot shown (CSV)"), data=lambda: publish.snapshot_csv(layer),
            file_name=f"{stem}.csv", mime="text/csv", on_click="ignore",
        )
        st.download_button(
            tr("About this snapshot (JSON)"), data=lambda: publish.metadata_json(layer, public_link, credit.publisher),
            file_name=f"{stem}.metadata.json", mime="application/json", on_click="ignore",
        )
        st.download_button(
            tr("Current layer (GeoJSON)"),
            data=lambda: publish.layer_geojson(data, layer, public_link, credit.publisher),
            file_name=f"{stem}.geojson", mime="application/geo+json", on_click="ignore",
        )
        st.download_button(
            tr("All measures (CSV)"), data=lambda: POLICIES_PATH.read_bytes(),
            file_name=f"policies_{today.isoformat()}.csv", mime="text/csv", on_click="ignore",
        )
        st.download_button(
            tr("Federal lists (CSV)"), data=lambda: DESIGNATIONS_PATH.read_bytes(),
            file_name=f"designations_{today.isoformat()}.csv", mime="text/csv", on_click="ignore",
        )


def _image(
    data: Dataset, layer: Layer, title: str | None, region: str | None, size: tuple[int, int], fmt: str,
    link: str | None, credit: Credit,
) -> Callable[[], bytes]:
    def render() -> bytes:
        return publish.render_layer(data, layer, title=title, region=region, size=size, formats=(fmt,),
                                    permalink=link, credit=credit)[fmt]

    return render
