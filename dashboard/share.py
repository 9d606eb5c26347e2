"""Publish and share: images, permalink, embed snippet, and the data behind the view."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlencode, urlsplit

import streamlit as st

from dashboard import publish
from dashboard.publish.projection import parse_region
from dashboard.urlstate import ViewState, to_params
from geodata.dataset import Dataset
from geodata.fips import ABBREVIATIONS, STATES
from geodata.layers import Layer
from geodata.tables import DESIGNATIONS_PATH, POLICIES_PATH

DEFAULT_BASE = "http://localhost:8501/"


def page_base(url: str | None) -> str:
    """The app's address without query string, from the browser's URL."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return DEFAULT_BASE
    return f"{parts.scheme}://{parts.netloc}{parts.path or '/'}"


def permalink(base: str, state: ViewState) -> str:
    return base + "?" + urlencode(to_params(replace(state, embed=False)))


def embed_snippet(base: str, state: ViewState) -> str:
    src = base + "?" + urlencode(to_params(replace(state, embed=True)))
    return (
        f'<iframe src="{html.escape(src, quote=True)}" title="Immigration-enforcement cooperation map"'
        ' width="100%" height="760" style="border:0" loading="lazy"></iframe>'
    )


def file_stem(state: ViewState, view: str) -> str:
    return f"cooperation-map_{state.level}_{view}_{state.date.isoformat()}"


def share_section(data: Dataset, state: ViewState, layer: Layer) -> None:
    base = page_base(st.context.url)
    link = permalink(base, state)
    stem = file_stem(state, f"{layer.view}-compare" if layer.compared else layer.view)
    st.subheader("Publish and share")
    images, links, downloads = st.columns(3)
    with images:
        st.markdown("**Image**")
        st.text_input("Title", key="title", placeholder=layer.title(), max_chars=publish.MAX_TITLE)
        regions = ["", *sorted(ABBREVIATIONS.values())]
        st.selectbox(
            "Area", regions, key="region",
            format_func=lambda r: "United States" if not r else f"{STATES[parse_region(r)]} ({r})",
        )
        region = st.session_state.get("region") or None
        for label, size, fmt in (("PNG 1200×800", (1200, 800), "png"), ("PNG 1920×1080", (1920, 1080), "png"),
                                 ("SVG", (1200, 800), "svg")):
            st.download_button(
                label, data=_image(data, layer, state.title, region, size, fmt, link),
                file_name=f"{stem}_{size[0]}x{size[1]}.{fmt}",
                mime="image/png" if fmt == "png" else "image/svg+xml", on_click="ignore",
                key=f"image-{fmt}-{size[0]}",
            )
    with links:
        st.markdown("**Permalink**")
        st.code(link, language=None, wrap_lines=True)
        st.markdown("**Embed**")
        st.code(embed_snippet(base, state), language="html", wrap_lines=True)
    with downloads:
        st.markdown("**Data**")
        today = dt.date.today()
        st.download_button(
            "Snapshot shown (CSV)", data=lambda: publish.snapshot_csv(layer),
            file_name=f"{stem}.csv", mime="text/csv", on_click="ignore",
        )
        st.download_button(
            "About this snapshot (JSON)", data=lambda: publish.metadata_json(layer, link),
            file_name=f"{stem}.metadata.json", mime="application/json", on_click="ignore",
        )
        st.download_button(
            "Current layer (GeoJSON)", data=lambda: publish.layer_geojson(data, layer, link),
            file_name=f"{stem}.geojson", mime="application/geo+json", on_click="ignore",
        )
        st.download_button(
            "All measures (CSV)", data=lambda: POLICIES_PATH.read_bytes(),
            file_name=f"policies_{today.isoformat()}.csv", mime="text/csv", on_click="ignore",
        )
        st.download_button(
            "Federal lists (CSV)", data=lambda: DESIGNATIONS_PATH.read_bytes(),
            file_name=f"designations_{today.isoformat()}.csv", mime="text/csv", on_click="ignore",
        )


def _image(
    data: Dataset, layer: Layer, title: str | None, region: str | None, size: tuple[int, int], fmt: str, link: str
) -> Callable[[], bytes]:
    def render() -> bytes:
        return publish.render_layer(data, layer, title=title or None, region=region, size=size,
                                    formats=(fmt,), permalink=link)[fmt]

    return render
