"""One meaning everywhere: the layer decides, and the map, legend, image, CSV and GeoJSON agree."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE

from dashboard.mapview import step_payload
from dashboard.publish import layer_geojson, render_layer, snapshot_csv
from dashboard.sections import legend_html
from geodata.dataset import Provenance, build_dataset
from geodata.layers import (
    CATEGORIES,
    VIEWS,
    build_layer,
    categories_of,
    category_of,
    default_earlier,
    ordered_dates,
)
from geodata.snapshot import JurisdictionStatus
from geodata.tables import read_designations, read_policies
from tests.conftest import day, designation_row, measure_row


@pytest.fixture
def dataset(write_tables, empty_cache_settings):
    policies, lists = write_tables(
        [
            measure_row(measure_id="ca-limits", provisions="detainer_limits;no_287g"),
            measure_row(measure_id="tx-requires", geoid="48", jurisdiction="Texas", direction="requires",
                        provisions="sanctuary_ban", adopted="2017-05-07", effective="2017-09-01"),
            measure_row(measure_id="travis-limits", geoid="48453", jurisdiction="Travis County, Texas",
                        adopted="2017-02-01", effective="2017-02-01"),
            measure_row(measure_id="ak-doc-287g", geoid="02", jurisdiction="Alaska", direction="requires",
                        instrument="agreement", provisions="agreement_287g;jail_enforcement_model",
                        adopted="2025-02-01", effective="2025-02-01"),
            measure_row(measure_id="harris-287g", geoid="48201", jurisdiction="Harris County, Texas",
                        direction="requires", instrument="resolution",
                        provisions="agreement_287g;jail_enforcement_model",
                        adopted="2008-01-01", effective="2008-01-01"),
        ],
        [designation_row(geoid="06", list="dhs-2025-05", listed_on="2025-05-29")],
    )
    return build_dataset(read_policies(policies).records, read_designations(lists).records, empty_cache_settings)


def row(**fields) -> JurisdictionStatus:
    base = dict(geoid="06", name="California", level="state", own_measures=(), inherited_measures=(),
                own_status="none", effective_status="none", federal_lists=())
    base.update(fields)
    return JurisdictionStatus(**base)


def test_categories_per_view():
    r = row(own_status="limits", effective_status="conflict", federal_lists=("dhs-2025-05", "doj-2025-08"),
            own_measures=("a",), agreements=("a",))
    assert category_of(r, "own") == "limits"
    assert category_of(r, "effective") == "conflict"
    assert category_of(r, "federal") == "both_lists"
    assert category_of(r, "287g") == "state_agency"
    assert category_of(row(level="county", geoid="06037", agreements=("a",)), "287g") == "local_agreement"
    assert category_of(row(federal_lists=("doj-2025-08",)), "federal") == "doj"
    with pytest.raises(ValueError):
        category_of(r, "nope")


def test_absence_says_none_is_recorded_not_that_none_exists():
    for view in ("own", "effective", "287g"):
        assert "recorded" in dict((c.key, c.label) for c in CATEGORIES[view])["none"]


def _cvd_distance(a: str, b: str, kind: str) -> float:
    cvd = {"name": "sRGB1+CVD", "cvd_type": kind, "severity": 100}
    rgb = [np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)]) / 255 for c in (a, b)]
    sim = [np.clip(cspace_convert(x, cvd, "sRGB1"), 0, 1) for x in rgb]
    return float(deltaE(sim[0], sim[1], input_space="sRGB1"))


@pytest.mark.parametrize(("view", "compared"), list(itertools.product(VIEWS, (False, True))))
@pytest.mark.parametrize("kind", ["protanomaly", "deuteranomaly", "tritanomaly"])
def test_palette_stays_distinguishable_with_colour_blindness(view, compared, kind):
    """Every pair of categories in a view differs by a clearly visible amount (CAM02-UCS ΔE ≥ 15)."""
    colors = {c.color for c in categories_of(view, compared=compared)}
    for a, b in itertools.combinations(sorted(colors), 2):
        assert _cvd_distance(a, b, kind) >= 15, (view, compared, kind, a, b)


def test_compare_runs_forward_only():
    later, earlier, notice = ordered_dates(day("2010-01-01"), day("2020-01-01"))
    assert (later, earlier) == (day("2020-01-01"), day("2010-01-01")) and "swapped" in notice
    assert ordered_dates(day("2020-01-01"), day("2010-01-01")) == (day("2020-01-01"), day("2010-01-01"), None)
    assert ordered_dates(day("2020-01-01"), day("2020-01-01"))[1] is None
    for d in (day("1979-06-01"), day("1985-01-01"), day("2010-01-01"), day("2017-01-01"), day("2025-08-05")):
        assert default_earlier(d) < d


def test_a_reversed_pair_is_swapped_with_a_notice(dataset):
    layer = build_layer(dataset, day("2010-01-01"), "state", "effective", day("2020-01-01"))
    assert (layer.day, layer.compare_to) == (day("2020-01-01"), day("2010-01-01"))
    assert any("swapped" in n for n in layer.notices)
    assert layer.category["48"] == "to_requires"
    assert layer.category["06"] == "to_limits"
    assert layer.changes["48"].started == ("tx-requires",)


def test_compare_uses_the_view_own_measures_in_own_view(dataset):
    layer = build_layer(dataset, day("2018-06-01"), "county", "own", day("2017-01-01"))
    # Texas's law changes what applies in Harris County, not Harris County's own measures.
    assert layer.category["48201"] == "unchanged"
    assert build_layer(dataset, day("2018-06-01"), "county", "effective", day("2017-01-01")).category[
        "48029"] == "to_requires"


def test_state_agency_agreements_do_not_make_a_state_require(dataset):
    on = day("2025-08-05")
    assert build_layer(dataset, on, "state", "own").category["02"] == "none"
    assert build_layer(dataset, on, "state", "effective").category["02"] == "none"
    assert build_layer(dataset, on, "county", "effective").category["02020"] == "none"
    agreements = build_layer(dataset, on, "state", "287g")
    assert agreements.category["02"] == "state_agency"
    assert [c.key for c in agreements.categories] == ["state_agency", "none"]
    county = build_layer(dataset, on, "county", "287g")
    assert county.category["48201"] == "local_agreement"
    assert "state_agency" not in county.counts()
    assert any("state agencies" in n for n in county.notices)


def test_without_ice_sheets_the_287g_view_says_so_and_counts_are_not_complete(dataset):
    layer = build_layer(dataset, day("2025-08-05"), "county", "287g")
    assert not layer.counts_complete
    assert any("not loaded" in n for n in layer.notices)
    assert "ICE 287(g) sheets: not loaded" in layer.as_of
    assert "geodata build" in layer.remedy
    assert "counts incomplete" in legend_html(layer)
    assert not re.search(r"<b>\d", legend_html(layer))


def test_with_ice_sheets_figures_carry_the_sheet_date(dataset, empty_cache_settings):
    provenance = Provenance(dt.date(2026, 1, 1), (dt.date(2025, 5, 19), dt.date(2025, 7, 18)))
    data = build_dataset(dataset.measures, dataset.designations, empty_cache_settings, provenance=provenance)
    layer = build_layer(data, day("2025-08-05"), "county", "287g")
    assert layer.counts_complete and "ICE sheet of 2025-07-18" in layer.as_of
    assert any("as of ICE's sheet of July 18, 2025" in n for n in layer.notices)
    early = build_layer(data, day("2015-01-01"), "county", "287g")
    assert any("ended before then" in n for n in early.notices)


def _payload_categories(layer) -> dict[str, str]:
    payload = step_payload(layer)
    keys = [c.key for c in layer.categories]
    out = {}
    for geoid in layer.category:
        code = payload["codes"].get(geoid, payload["byState"].get(geoid[:2], payload["fallback"]))
        out[geoid] = keys[code]
    return out


def _legend_counts(layer) -> dict[str, int]:
    html = legend_html(layer)
    found = re.findall(r"</span>([^<]+)<b>([\d,]+)</b>", html)
    by_label = {label.strip(): int(n.replace(",", "")) for label, n in found}
    return {c.key: by_label[c.label] for c in layer.categories}


def _assert_renderers_agree(data, layer) -> None:
    expected = dict(layer.category)
    assert _payload_categories(layer) == expected
    if layer.counts_complete:
        assert _legend_counts(layer) == layer.counts()
    rows = list(csv.DictReader(io.StringIO(snapshot_csv(layer).decode("utf-8"))))
    assert {r["geoid"]: r["category"] for r in rows} == expected
    assert all(r["category_label"] == layer.label(r["category"]) for r in rows)
    document = json.loads(layer_geojson(data, layer))
    from_geojson = {f["id"]: f["properties"]["category"] for f in document["features"]}
    assert from_geojson or layer.level == "place", "no features"
    assert all(expected[g] == c for g, c in from_geojson.items())
    if layer.level != "place":  # places in no category are left out of the GeoJSON
        assert set(from_geojson) == set(expected)
    assert document["metadata"]["sources"] == [str(s) for s in layer.sources]


DATES = (day("1990-06-01"), day("2018-06-01"), day("2025-08-05"))


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("level", ["state", "county", "place"])
def test_map_legend_csv_and_geojson_agree(mirror_dataset, view, level):
    """Every view × level × a spread of dates, with and without an earlier date to compare with."""
    for on in DATES:
        _assert_renderers_agree(mirror_dataset, build_layer(mirror_dataset, on, level, view))
    _assert_renderers_agree(mirror_dataset, build_layer(mirror_dataset, DATES[2], level, view, DATES[1]))


@pytest.mark.parametrize("view", list(VIEWS))
def test_the_image_legend_prints_the_layer_counts(mirror_dataset, view):
    layer = build_layer(mirror_dataset, day("2025-08-05"), "county", view)
    svg = render_layer(mirror_dataset, layer, formats=("svg",))["svg"].decode("utf-8")
    for category in layer.categories:
        assert f"({layer.counts()[category.key]:,})" in svg


def test_alaska_new_hampshire_and_massachusetts_are_coloured_by_their_laws_alone(mirror_dataset):
    on = day("2025-08-05")
    agencies = build_layer(mirror_dataset, on, "state", "287g")
    for fips in ("02", "33", "25"):
        assert agencies.category[fips] == "state_agency", fips
        status = agencies.snapshot.by_geoid()[fips]
        laws = [m for m in status.own_measures if not mirror_dataset.measures_by_id[m].is_287g_agreement]
        expected = {m.direction for m in (mirror_dataset.measures_by_id[i] for i in laws)}
        for view in ("own", "effective"):
            category = build_layer(mirror_dataset, on, "state", view).category[fips]
            assert category != "requires" or expected == {"requires"}, (fips, view)
    assert build_layer(mirror_dataset, on, "state", "effective").category["25"] == "limits"
    counties = build_layer(mirror_dataset, on, "county", "effective")
    miami_dade = counties.snapshot.by_geoid()["12086"]
    assert not any(mirror_dataset.measures_by_id[m].is_287g_agreement for m in miami_dade.inherited_measures)
