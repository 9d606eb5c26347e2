"""The folium map: a base map built once per level, and a tiny payload per time step.

Why this shape: streamlit-folium remounts its iframe whenever the map script
changes, so the base script must not depend on the date or the view. It only
loads Leaflet and the geometry from the app's static route; each rerun sends a
`feature_group_to_add` whose script calls `cm.apply(payload)`, which restyles
the existing layers in place (see assets/choropleth.js).
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from dashboard.publish.screen import city_labels, national_bounds, state_labels
from dashboard.static_assets import AssetUrls
from geodata.i18n import ENGLISH, Translator
from geodata.layers import NONE, UNCHANGED, Layer

ASSETS = Path(__file__).parent / "assets"
# mapcore.js (shared with the static edition) first: it defines window.cmCore for choropleth.js.
CHOROPLETH_JS = "\n".join((ASSETS / name).read_text(encoding="utf-8") for name in ("mapcore.js", "choropleth.js"))
#: how choropleth.js ends: it calls itself with the map and its configuration
_INVOCATION = "})(__MAP__, __CONFIG__);"
MAP_CSS = (ASSETS / "map.css").read_text(encoding="utf-8")
# The map's plane is the exports' Albers USA plane in km (see dashboard/publish/screen.py): a
# point is (y, x). The browser fits the whole country on load; these only seed the first frame.
NATIONAL_CENTER = (1700.0, -100.0)
NATIONAL_ZOOM = -2.5


def script_json(value: object) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/")


class _Raw(Element):
    """Text output as it is: branca's Element would compile it as a Jinja template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: object) -> str:
        return self.text


class _Script(MacroElement):
    """A script block in the map's JavaScript; `__MAP__` becomes the map's variable name.

    The JavaScript is data, never template source: branca compiles what a macro renders
    as a new template, which cost milliseconds on every rerun and would read any `{{`
    in the payload as Jinja.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}{{ this.script_text() }}{% endmacro %}"
    )

    def __init__(self, js: str) -> None:
        super().__init__()
        self._name = "CooperationMapScript"
        self.js = js

    def script_text(self) -> str:
        return self.js.replace("__MAP__", self._parent.get_name())

    def render(self, **kwargs: object) -> None:
        self.get_root().script.add_child(_Raw(self.script_text()), name=self.get_name())


def map_strings(tr: Translator = ENGLISH) -> dict[str, str]:
    """What the map's own script says to a reader (mapcore.js, choropleth.js, site.js), from the catalog."""
    return {
        "home": tr("Show the whole country"),
        "shapesFailed": tr("Map shapes could not be loaded:"),
    }


def base_map(
    level: str, assets: AssetUrls, names_url: str, points_url: str | None = None, focused: bool = False,
    tr: Translator = ENGLISH,
) -> folium.Map:
    """A map with no tiles (clean, offline) in the Albers USA plane, its layers drawn by choropleth.js."""
    fmap = folium.Map(
        location=NATIONAL_CENTER,
        zoom_start=NATIONAL_ZOOM,
        crs="Simple",
        tiles=None,
        prefer_canvas=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
        control_scale=False,
    )
    # folium hands min_zoom and max_zoom to the tile layer, and there is none: set them on the map.
    fmap.options.update(minZoom=-4, maxZoom=7, attributionControl=False)
    # Serve Leaflet from the app itself; folium's defaults point at CDNs.
    fmap.default_js = [("leaflet", assets.leaflet_js)]
    fmap.default_css = [("leaflet_css", assets.leaflet_css)]
    config = {
        "level": level,
        "atlasUrl": atlas_url(level, assets),
        "placesUrl": assets.places,
        "namesUrl": names_url,
        "pointsUrl": points_url,
        "focused": focused,
        "nationalBounds": national_bounds(),
        "outlines": assets.outlines if level == "place" else {},
        "strings": map_strings(tr),
    }
    # The code and the labels, the same for every reader and level, are a static file the browser
    # fetches once (before the map's script runs); the script itself only starts it. Every rerun
    # resends the component's script, so it stays a few KB rather than 25 (make bench, stepcost).
    fmap.default_js.append(("cooperation_map", map_bundle_url()))
    start = f"window.cmStart(__MAP__, Object.assign({{labels: window.cmLabels}}, {script_json(config)}));"
    fmap.add_child(_Script(start))
    fmap.get_root().html.add_child(folium.Element(f"<style>{MAP_CSS}</style>"))
    return fmap


def atlas_url(level: str, assets: AssetUrls) -> str:
    """The shapes a level's base map fetches: the city level draws no county, so it gets the states alone."""
    return assets.states_atlas if level == "place" else assets.atlas


def base_map_key(
    level: str, assets: AssetUrls, names_url: str, points_url: str | None = None, focused: bool = False
) -> tuple:
    """What `base_map` depends on, hashable: the files are named by their content."""
    outlines = sorted((state, info["url"]) for state, info in assets.outlines.items()) if level == "place" else []
    return (level, assets.leaflet_js, assets.leaflet_css, assets.atlas, assets.states_atlas, assets.places,
            names_url, points_url, focused, tuple(outlines))


def map_bundle_js() -> str:
    """mapcore.js and choropleth.js as `window.cmStart(map, config)`, with the place labels as `window.cmLabels`."""
    if not CHOROPLETH_JS.rstrip().endswith(_INVOCATION):
        raise RuntimeError(f"choropleth.js must end with {_INVOCATION!r}")
    code = CHOROPLETH_JS.rstrip()[: -len(_INVOCATION)] + "});\n"
    start = code.rindex("(function (map, config)")
    # Largest cities first, then the states: where two would overlap, the first placed wins.
    labels = script_json([*city_labels(), *state_labels()])
    return f"{code[:start]}window.cmStart = {code[start:]}window.cmLabels = {labels};\n"


@lru_cache(maxsize=1)
def map_bundle_url() -> str:
    """The bundle in the app's static folder, named by its content (written once per process)."""
    from dashboard.static_assets import write_named_by_content

    return write_named_by_content("choropleth", "js", map_bundle_js())


def step_layer(payload: Mapping[str, object]) -> folium.FeatureGroup:
    """The per-step feature group: no features, just the call that restyles the map."""
    group = folium.FeatureGroup(name="status", control=False)
    group.add_child(_Script("window.cm && window.cm.apply(" + script_json(payload) + ");"))
    return group


def step_payload(layer: Layer, selected: str | None = None) -> dict[str, object]:
    """The layer's category codes per GEOID, compressed: the usual code per state, plus exceptions."""
    keys = [c.key for c in layer.categories]
    index = {key: i for i, key in enumerate(keys)}
    fallback = index.get(NONE, index.get(UNCHANGED, len(keys) - 1))
    by_state_counts: defaultdict[str, Counter[int]] = defaultdict(Counter)
    for geoid, category in layer.category.items():
        by_state_counts[geoid[:2]][index[category]] += 1
    by_state = {state: counts.most_common(1)[0][0] for state, counts in by_state_counts.items()}
    codes = {
        geoid: index[category]
        for geoid, category in layer.category.items()
        if index[category] != by_state.get(geoid[:2], fallback)
    }
    return {
        "date": layer.day.isoformat(),
        "colors": [c.color for c in layer.categories],
        "labels": [c.label for c in layer.categories],
        "fallback": fallback,
        "byState": by_state,
        "codes": codes,
        "selected": selected,
        "extra": dict(layer.details),
    }


@lru_cache(maxsize=64)
def zoom_for_bounds(width_km: float, pixels: float = 520) -> float:
    """The zoom at which a jurisdiction `width_km` wide fills about `pixels` (CRS.Simple: 2^zoom px per km)."""
    zoom = math.floor(math.log2(pixels / max(width_km, 0.5)) * 4) / 4
    return float(min(6.0, max(-3.0, zoom)))
