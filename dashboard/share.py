"""Publish and share: images, permalink, embed snippet, and the data behind the view."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlencode, urlsplit

import streamlit as st

from dashboard import export
from dashboard.urlstate import ViewState, to_params
from geodata.dataset import Dataset
from geodata.fips import ABBREVIATIONS, STATES
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


def stamped(table: bytes, name: str, today: dt.date) -> bytes:
    """A table file with a first comment line saying what it is, when, and from where."""
    note = f"# {name}, downloaded {today.isoformat()} from the Immigration-enforcement cooperation map; "
    note += "every row cites its source in source_url\n"
    return note.encode("utf-8") + table


def file_stem(state: ViewState, view: str) -> str:
    return f"cooperation-map_{state.level}_{view}_{state.date.isoformat()}"


def share_section(data: Dataset, state: ViewState, map_view: str) -> None:
    base = page_base(st.context.url)
    link = permalink(base, state)
    st.subheader("Publish and share")
    images, links, downloads = st.columns(3)
    with images:
        st.markdown("**Image**")
        st.text_input("Title", key="title", placeholder=export.default_title(state.level, map_view, None))
        regions = ["", *sorted(ABBREVIATIONS.values())]
        st.selectbox(
            "Area", regions, key="region",
            format_func=lambda r: "United States" if not r else f"{STATES[export.parse_region(r)]} ({r})",
        )
        region = st.session_state.get("region") or None
        for label, size, fmt in (("PNG 1200×800", (1200, 800), "png"), ("PNG 1920×1080", (1920, 1080), "png"),
                                 ("SVG", (1200, 800), "svg")):
            st.download_button(
                label, data=_image(data, state, map_view, region, size, fmt, link),
                file_name=f"{file_stem(state, map_view)}_{size[0]}x{size[1]}.{fmt}",
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
            "Snapshot shown (CSV)", data=lambda: export.snapshot_csv(data, state.date, state.level),
            file_name=f"{file_stem(state, 'snapshot')}.csv", mime="text/csv", on_click="ignore",
        )
        st.download_button(
            "Current layer (GeoJSON)",
            data=lambda: export.layer_geojson(data, state.date, state.level, map_view, compare_to=state.compare_to),
            file_name=f"{file_stem(state, map_view)}.geojson", mime="application/geo+json", on_click="ignore",
        )
        st.download_button(
            "All measures (CSV)", data=lambda: stamped(POLICIES_PATH.read_bytes(), "policies.csv", today),
            file_name=f"policies_{today.isoformat()}.csv", mime="text/csv", on_click="ignore",
        )
        st.download_button(
            "Federal lists (CSV)", data=lambda: stamped(DESIGNATIONS_PATH.read_bytes(), "designations.csv", today),
            file_name=f"designations_{today.isoformat()}.csv", mime="text/csv", on_click="ignore",
        )


def _image(
    data: Dataset, state: ViewState, view: str, region: str | None, size: tuple[int, int], fmt: str, link: str
) -> Callable[[], bytes]:
    def render() -> bytes:
        return export.render_map(
            data, state.date, state.level, view, title=state.title or None, region=region,
            compare_to=state.compare_to, size=size, fmt=fmt, permalink=link,
        )

    return render
