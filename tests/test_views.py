"""Map categories, the per-step payload, the palette's colour-blind safety, and text escaping."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE

from dashboard.mapview import base_map, script_json, step_layer, step_payload
from dashboard.static_assets import AssetUrls
from dashboard.text import md_escape, safe_link
from dashboard.views import CATEGORIES, category_of
from geodata.snapshot import JurisdictionStatus

URLS = AssetUrls("/app/static/l.js", "/app/static/l.css", "/app/static/a.json", None)


def row(**fields) -> JurisdictionStatus:
    base = dict(geoid="06", name="California", level="state", own_measures=(), inherited_measures=(),
                own_status="none", effective_status="none", federal_lists=())
    base.update(fields)
    return JurisdictionStatus(**base)


def test_categories_per_view():
    r = row(own_status="limits", effective_status="conflict", federal_lists=("dhs-2025-05", "doj-2025-08"),
            own_measures=("287g-x",))
    assert category_of(r, "own") == "limits"
    assert category_of(r, "effective") == "conflict"
    assert category_of(r, "federal") == "both_lists"
    assert category_of(r, "287g", frozenset({"287g-x"})) == "agreement"
    assert category_of(row(federal_lists=("doj-2025-08",)), "federal") == "doj"
    with pytest.raises(ValueError):
        category_of(r, "nope")


def test_payload_sends_codes_compressed_by_state():
    categories = {"06001": "limits", "06003": "limits", "06005": "none", "48001": "requires"}
    payload = step_payload(categories, "effective", date="2020-01-01", selected="06001")
    assert payload["byState"] == {"06": 0, "48": 1}
    assert payload["codes"] == {"06005": 3}
    assert payload["colors"][0] == CATEGORIES["effective"][0].color


@pytest.mark.parametrize("level", ["state", "county", "place"])
def test_base_map_is_independent_of_date_and_loads_no_cdn(level):
    html = base_map(level, URLS, "/app/static/names.json").get_root().render()
    assert "cdn" not in html.lower() and "unpkg" not in html
    assert "/app/static/l.js" in html
    first = step_layer(step_payload({"06": "limits"}, "own", date="2020-01-01"))
    second = step_layer(step_payload({"06": "none"}, "own", date="2021-01-01"))
    assert first.get_name() != "" and second is not first


def test_script_json_cannot_close_the_script_element():
    assert "</script>" not in script_json({"name": "</script><script>alert(1)</script>"})


def _cvd_distance(a: str, b: str, kind: str) -> float:
    cvd = {"name": "sRGB1+CVD", "cvd_type": kind, "severity": 100}
    rgb = [np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)]) / 255 for c in (a, b)]
    sim = [np.clip(cspace_convert(x, cvd, "sRGB1"), 0, 1) for x in rgb]
    return float(deltaE(sim[0], sim[1], input_space="sRGB1"))


@pytest.mark.parametrize("view", list(CATEGORIES))
@pytest.mark.parametrize("kind", ["protanomaly", "deuteranomaly", "tritanomaly"])
def test_palette_stays_distinguishable_with_colour_blindness(view, kind):
    """Every pair of categories in a view differs by a clearly visible amount (CAM02-UCS ΔE ≥ 15)."""
    colors = [c.color for c in CATEGORIES[view]]
    for a, b in itertools.combinations(colors, 2):
        assert _cvd_distance(a, b, kind) >= 15, (view, kind, a, b)


def test_text_from_the_tables_is_shown_literally():
    assert md_escape("<script>alert(1)</script>") == r"\<script\>alert\(1\)\</script\>"
    assert md_escape("**bold** [x](y) $x$ :red[z]") == r"\*\*bold\*\* \[x\]\(y\) \$x\$ \:red\[z\]"
    assert safe_link("javascript:alert(1)") == md_escape("javascript:alert(1)")
    assert safe_link("https://example.org/a_(b)") == "[source](https://example.org/a_%28b%29)"


def test_map_scripts_are_not_read_as_templates():
    """Text in a step's payload reaches the browser as it is, even if it looks like Jinja."""
    import folium
    from streamlit_folium import _get_feature_group_string

    fmap = folium.Map(tiles=None)
    script = _get_feature_group_string(step_layer({"label": "{{ 7*7 }} {% if %} {#"}), fmap)
    assert 'window.cm.apply({"label":"{{ 7*7 }} {% if %} {#"});' in script
