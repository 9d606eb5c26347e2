"""Faults on the app's side: stale data, shared static files, text acting as markup, and errors
that would show the server's insides. Everything works on tmp_path copies."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.publish import MAX_TITLE, render_map
from dashboard.static_assets import ensure_static_assets
from dashboard.text import md_escape
from geodata.config import Settings
from geodata.dataset import build_dataset
from geodata.load import load_dataset
from geodata.places import build_places
from geodata.tables import read_designations, read_policies
from tests.conftest import CENSUS_MIRROR, REPO, measure_row

APP = str(REPO / "dashboard" / "app.py")


def test_a_running_app_sees_an_edited_table_without_a_restart(write_tables, empty_cache_settings):
    policies, lists = write_tables([measure_row(measure_id="m1")])
    first = load_dataset(policies, lists, empty_cache_settings)
    assert load_dataset(policies, lists, empty_cache_settings) is first  # unchanged files: the same object
    write_tables([measure_row(measure_id="m1"), measure_row(measure_id="m2", geoid="48", jurisdiction="Texas")])
    second = load_dataset(policies, lists, empty_cache_settings)
    assert "m2" in second.measures_by_id and second.version != first.version


@pytest.mark.skipif(not CENSUS_MIRROR.is_dir(), reason=f"Census mirror not found at {CENSUS_MIRROR}")
def test_two_caches_never_serve_each_others_places(tmp_path):
    static = tmp_path / "static"
    urls = []
    for wanted, name in (({"0644000"}, "a"), ({"0644000", "1714000"}, "b")):
        settings = Settings(str(CENSUS_MIRROR), 2015, "", tmp_path / name)
        assert build_places(wanted, settings).ok
        urls.append(ensure_static_assets(settings.cache_dir, static).places)
    assert urls[0] != urls[1]
    served = [json.loads((static / "geo" / Path(u).name).read_text()) for u in urls]
    assert [len(s["features"]) for s in served] == [1, 2]
    assert list(static.rglob("*.part")) == []


def test_markdown_in_a_place_name_is_shown_as_text():
    hostile = "Bakersfield (![t](https://evil.example/name.png)), California"
    shown = md_escape(hostile)
    assert "![" not in shown and "](" not in shown and "evil" in shown


def test_an_overlong_image_title_is_refused_with_a_message(write_tables, empty_cache_settings):
    policies, lists = write_tables([measure_row()])
    data = build_dataset(read_policies(policies).records, read_designations(lists).records, empty_cache_settings)
    with pytest.raises(ValueError, match=f"at most {MAX_TITLE}"):
        render_map(data, dt.date(2025, 8, 5), "state", "effective", title="x" * 2000)


def test_the_title_box_cannot_take_an_overlong_title(monkeypatch, tmp_path):
    monkeypatch.setenv("GEODATA_CACHE_DIR", str(tmp_path / "cache"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.text_input(key="title").proto.max_chars == MAX_TITLE


def test_readers_never_see_tracebacks():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def test_a_damaged_place_cache_is_a_notice_not_a_traceback(monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "places.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    monkeypatch.setenv("GEODATA_CACHE_DIR", str(cache))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["level"] = "place"
    at.run()
    assert not at.exception
    notice = " ".join(i.value for i in at.info)
    assert "cannot be read" in notice and str(tmp_path) not in notice
