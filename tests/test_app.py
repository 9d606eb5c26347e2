"""The page's widget, URL and state logic, driven headlessly with Streamlit's AppTest."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


@pytest.fixture(autouse=True)
def isolated_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("GEODATA_CACHE_DIR", str(tmp_path / "cache"))


def run(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def map_args(at: AppTest) -> dict:
    """The arguments sent to the streamlit-folium component."""
    found = [e for e in at.get("component_instance")]
    assert found, "no map component on the page"
    return json.loads(found[0].proto.json_args)


def test_default_page_renders_without_exceptions():
    at = run()
    assert not at.exception
    assert at.title[0].value == "Immigration-enforcement cooperation policy"
    assert at.query_params["level"] == ["state"] or at.query_params["level"] == "state"


def test_url_reproduces_the_view_and_shows_details():
    at = run(date="2025-01-01", level="place", j="0644000", view="own")
    assert not at.exception
    assert not at.warning, [w.value for w in at.warning]
    assert at.session_state["date"].isoformat() == "2025-01-01"
    assert at.radio(key="level").value == "place"
    assert at.radio(key="view").value == "own"
    assert at.subheader[0].value == "Los Angeles, California"
    details = " ".join(h.proto.body for h in at.html)
    assert "Special Order 40" in details and ">Source</a>" in details
    assert "What the source says" in details


@pytest.mark.parametrize(
    "params",
    [
        {"date": "2018-02-30"},
        {"level": "<b>x</b>"},
        {"view": "x" * 1000},
        {"j": "12345678"},
        {"j": "99"},
        {"compare": "soon"},
        {"unexpected": "1"},
    ],
)
def test_malformed_parameters_give_a_notice_not_an_exception(params):
    at = run(**params)
    assert not at.exception
    assert at.warning, "expected a visible notice"


def test_slider_step_changes_only_the_payload_not_the_base_map():
    at = run(date="2018-06-01", level="county")
    before = map_args(at)
    at.select_slider(key="date").set_value(dt.date(2025, 2, 1)).run()
    after = map_args(at)
    assert before["script"] == after["script"]
    assert before["feature_group"] != after["feature_group"]
    # The geometry is fetched once from the static route; a step sends only codes. (The base script
    # carries Leaflet's glue and the ~110 place labels.)
    assert len(after["script"]) < 30_000
    assert len(after["feature_group"]) < 20_000


def test_search_finds_any_census_place_and_shows_what_applies_there(monkeypatch, mirror_cache):
    """Bakersfield has no row of its own: it is found, selected and shown with its county's and state's measures."""
    monkeypatch.setenv("GEODATA_CACHE_DIR", str(mirror_cache))
    at = run(date="2025-08-05", level="state")
    at.text_input(key="search_text").set_value("Bakersfield").run()
    at.button(key="hit-0603526").click().run()
    assert not at.exception
    assert at.session_state["selected"] == "0603526" and at.session_state["level"] == "place"
    assert at.query_params["j"] in ("0603526", ["0603526"])
    assert "Bakersfield, California" in " ".join(s.value for s in at.subheader)
    details = " ".join(h.proto.body for h in at.html)
    assert "applies via California" in details


def test_a_search_with_no_match_says_so(monkeypatch, mirror_cache):
    monkeypatch.setenv("GEODATA_CACHE_DIR", str(mirror_cache))
    at = run()
    at.text_input(key="search_text").set_value("Qqqzzz").run()
    assert "No state, county or Census place" in " ".join(c.value for c in at.caption)


def test_interaction_updates_the_url():
    at = run()
    at.radio(key="level").set_value("county").run()
    assert at.query_params["level"] in ("county", ["county"])


def test_compare_mode_lists_changes_with_sources():
    at = run(date="2019-01-01", compare="2017-01-01", level="state")
    assert not at.exception
    # The table is HTML, so that measure titles can be marked as data text (data-text) for other languages.
    text = " ".join(h.proto.body for h in at.html)
    assert "Texas" in text and "SB 4 " in text and "<th>Jurisdiction</th>" in text
    assert "What changed" in " ".join(s.value for s in at.subheader)


def test_html_in_data_is_escaped(tmp_path, monkeypatch):
    from dashboard.text import md_escape

    assert "<script>" not in md_escape("<script>alert(1)</script>")


def test_share_section_offers_images_data_permalink_and_embed():
    at = run(date="2025-08-05", level="county", view="effective")
    labels = [b.proto.label for b in at.get("download_button")]
    for expected in ("PNG 1200×800", "PNG 1920×1080", "SVG", "Snapshot shown (CSV)", "Current layer (GeoJSON)",
                     "All measures (CSV)", "Federal lists (CSV)"):
        assert expected in labels
    codes = " ".join(c.value for c in at.code)
    assert "date=2025-08-05" in codes and "level=county" in codes
    assert "<iframe" in codes and "embed=true" in codes


def test_methodology_page():
    at = run()
    at.switch_page("methodology_page.py").run()
    assert not at.exception
    assert at.title[0].value == "About & methodology"
    assert "Reporting a correction" in " ".join(m.value for m in at.markdown)


def test_html_in_the_tables_is_shown_as_text():
    """A <script> in a title or note reaches the page as literal text, never as markup or a link."""
    from dashboard.sections import measure_card_html
    from geodata.tables import Measure

    hostile = '<script>alert("x")</script> <a href="javascript:alert(1)">x</a> **bold** {{ 7*7 }}'
    from geodata.provenance import Evidence

    card = measure_card_html(
        Measure("m", "06", "California", hostile, "statute", "limits", ("detainer_limits",),
                dt.date(2017, 1, 1), dt.date(2017, 1, 1), None, "", "javascript:alert(1)", hostile),
        "own <b>measure</b>", Evidence(hostile, dt.date(2026, 1, 1)),
    )
    assert "<script>" not in card and "<b>measure" not in card
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in card
    assert 'href="javascript' not in card
    assert "javascript:alert(1)" in card  # shown as text, not linked


def test_details_link_only_https_sources():
    from dashboard.sections import measure_card_html
    from geodata.tables import Measure

    def card(url: str) -> str:
        return measure_card_html(
            Measure("m", "06", "California", "t", "statute", "limits", (), dt.date(2017, 1, 1),
                    dt.date(2017, 1, 1), None, "", url, ""), "own measure")

    assert '<a href="https://example.org/a?b=1&amp;c=&quot;2&quot;" target="_blank">Source</a>' in card(
        'https://example.org/a?b=1&c="2"')
    for bad in ("http://example.org", "data:text/html,x", "//example.org", "https:/x"):
        assert "<a " not in card(bad)


def test_a_reversed_comparison_is_swapped_with_a_notice():
    at = run(date="2010-01-01", compare="2020-01-01", level="state")
    assert not at.exception
    assert any("swapped" in w.value for w in at.warning)
    assert at.session_state["date"].isoformat() == "2020-01-01"
    assert at.session_state["compare_date"].isoformat() == "2010-01-01"
    assert at.query_params["compare"] in ("2010-01-01", ["2010-01-01"])
    assert "What changed from January 1, 2010 to January 1, 2020" in " ".join(s.value for s in at.subheader)


def test_turning_compare_on_starts_from_an_earlier_date():
    at = run(date="2010-06-01", level="state")
    at.toggle(key="compare_on").set_value(True).run()
    assert not at.exception
    assert at.session_state["compare_date"] < at.session_state["date"]


def test_without_ice_sheets_the_287g_view_says_they_are_not_loaded(monkeypatch, tmp_path):
    monkeypatch.setenv("GEODATA_ICE287G_SOURCE", str(tmp_path / "no-sheets"))
    at = run(date="2025-08-05", level="county", view="287g")
    assert not at.exception
    notices = " ".join(i.value for i in at.info)
    assert "sheets are not loaded" in notices and "counts are not complete" in notices
    legend = " ".join(h.proto.body for h in at.html)
    assert "counts incomplete" in legend
