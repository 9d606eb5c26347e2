"""The static edition (`python -m dashboard.publish site`): its category files say what
`build_layer` says, jurisdiction by jurisdiction, and the page works from a plain static server
without asking another host for anything."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from dashboard.publish.cli import main
from dashboard.publish.site import MARKER, decode_category, site_dates, write_site
from geodata.dataset import Dataset
from geodata.dates import KEY_DATES
from geodata.layers import NO_DATA, VIEWS, build_layer
from geodata.load import load_dataset
from tests.conftest import SOURCE, designation_row, measure_row
from tests.devserver import static_server

TODAY = dt.date(2025, 9, 15)
TRICKY_TITLE = 'Sheriff’s "detainer" policy &amp; order &lt;b&gt;'  # the tables refuse < and >; entities stay text
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def dataset(write_tables, empty_cache_settings) -> Dataset:
    measures = [
        measure_row(),  # California limits, from 2018-01-01
        measure_row(measure_id="m2", geoid="48", jurisdiction="Texas", direction="requires",
                    provisions="detainer_compliance", adopted="2017-05-07", effective="2017-09-01"),
        measure_row(measure_id="m3", geoid="48201", jurisdiction="Harris County", direction="limits",
                    title=TRICKY_TITLE, provisions="detainer_limits", adopted="2019-01-01",
                    effective="2019-02-01", ended="2021-06-01", end_reason="rescinded"),
        measure_row(measure_id="m4", geoid="06037", jurisdiction="Los Angeles County", direction="limits",
                    provisions="detainer_limits", adopted="2016-12-01", effective="2017-01-01"),
    ]
    lists = [designation_row(), designation_row(geoid="06037", jurisdiction="Los Angeles County",
                                                list="dhs-2025-05", listed_on="2025-05-29")]
    policies, designations = write_tables(measures, lists)
    return load_dataset(policies, designations, empty_cache_settings)


@pytest.fixture
def site(tmp_path, dataset, empty_cache_settings) -> Path:
    out = tmp_path / "site"
    write_site(out, dataset, empty_cache_settings.cache_dir, today=TODAY, levels=("state", "county"))
    return out


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_dates_are_every_month_plus_the_key_dates_and_today():
    days = site_dates(dt.date(2016, 11, 20), dt.date(2017, 2, 10))
    assert days == [dt.date(2016, 11, 1), dt.date(2016, 12, 1), dt.date(2017, 1, 1), dt.date(2017, 2, 1),
                    dt.date(2017, 2, 10)]


def test_category_files_agree_with_build_layer(site, dataset):
    index = read_json(site / "data" / "index.json")
    days = [dt.date.fromisoformat(d) for d in index["dates"]]
    assert days == site_dates(dataset.first_date, TODAY)
    assert set(index["files"]) == {"state", "county"}
    spread = sorted({*days[::9], days[-1], *(d for d, _label in KEY_DATES if d in days)})
    for level, views in index["files"].items():
        assert set(views) == set(VIEWS)
        for view, files in views.items():
            assert len(files["steps"]) == len(days)
            for day in spread:
                payload = read_json(site / files["files"][files["steps"][days.index(day)]])
                layer = build_layer(dataset, day, level, view)
                shown = {geoid: decode_category(payload, geoid) for geoid in layer.category}
                assert shown == dict(layer.category), (level, view, day)
                assert payload["labels"] == [c.label for c in layer.categories]
                assert payload["colors"] == [c.color for c in layer.categories]
                assert dict(zip(payload["keys"], payload["counts"], strict=True)) == layer.counts()
                assert payload["asOf"] == layer.as_of
                assert payload["notices"] == list(layer.notices)


def test_the_site_is_self_contained_and_escapes_nothing_into_html(site):
    page = (site / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "Content-Security-Policy" in page and "default-src 'self'" in page
    for name in ("vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css", "assets/site.js", "assets/site.css",
                 "data/atlas.json", "data/names.json", "data/measures.json"):
        assert (site / name).is_file(), name
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", (site / "vendor/leaflet/leaflet.css").read_text())
    measures = read_json(site / "data" / "measures.json")["measures"]
    assert measures["m3"]["t"] == TRICKY_TITLE  # data travels as JSON and is set as text by site.js
    assert TRICKY_TITLE not in page
    assert (site / "methodology.html").is_file() or (site / "methodology.md").is_file()
    downloads = read_json(site / "data" / "index.json")["downloads"]
    assert all((site / item["href"]).is_file() for item in downloads)
    assert {"state", "county"} <= {item.get("level") for item in downloads}


def test_a_rebuild_replaces_the_site_and_a_foreign_directory_is_refused(site, dataset, tmp_path):
    (site / "stale.json").write_text("{}")
    write_site(site, dataset, None, today=TODAY, levels=("state",))
    assert not (site / "stale.json").exists() and (site / MARKER).exists()
    assert set(read_json(site / "data" / "index.json")["files"]) == {"state"}
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not a site"):
        write_site(foreign, dataset, None, today=TODAY, levels=("state",))
    assert (foreign / "notes.txt").read_text() == "keep me"
    assert not any(p.name.startswith(".mine.") for p in tmp_path.iterdir())


def test_the_command_line_keeps_the_image_command_and_refuses_a_foreign_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GEODATA_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(SystemExit) as exit_info:
        main(["--date", "2025-08-05", "--out", str(tmp_path / "map.gif")])
    assert exit_info.value.code == 2
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    assert main(["site", "--out", str(foreign), "--no-cities"]) == 1
    assert "not a site" in capsys.readouterr().err


# --- In the browser -------------------------------------------------------------------------------


FILL_OF = "(g) => window.site.layers.state.getLayers().find((l) => l.feature.id === g).options.fillColor"
IN_VIEW = ("(g) => { const l = window.site.layers.state.getLayers().find((x) => x.feature.id === g);"
           " return !!l && window.site.map.getBounds().contains(l.getBounds()); }")


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_the_page_paints_restyles_shows_sources_and_stays_on_its_host(site):
    sync_api = pytest.importorskip("playwright.sync_api")
    with static_server(site) as base, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            elsewhere: list[str] = []
            errors: list[str] = []
            page.on("request", lambda r: r.url.startswith((base, "data:", "blob:")) or elsewhere.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(base + "#level=state&view=effective&date=2017-01-01", timeout=30_000)
            # Selectors and evaluate only: the page's Content-Security-Policy forbids wait_for_function's eval.
            page.wait_for_selector("html[data-site-ready='1']", state="attached", timeout=30_000)
            painted = page.evaluate("""() => {
                const c = document.querySelector('#map canvas'); const ctx = c.getContext('2d');
                const d = ctx.getImageData(0, 0, c.width, c.height).data; let n = 0;
                for (let i = 0; i < d.length; i += 4) if (d[i + 3] && (d[i] < 240 || d[i + 2] < 240)) n++;
                return n; }""")
            assert painted > 10_000
            # Puerto Rico is drawn in its inset, whole, in the national view, as Alaska and Hawaii are.
            for fips in ("02", "15", "72"):
                assert page.evaluate(IN_VIEW, fips), fips
            assert page.evaluate(FILL_OF, "06").lower() == NO_DATA.lower()  # California's law began in 2018
            after = page.evaluate("() => window.site.index.dates.indexOf('2018-06-01')")
            page.evaluate("""(i) => { const s = document.getElementById('slider'); s.value = String(i);
                                     s.dispatchEvent(new Event('input')); }""", after)
            page.wait_for_selector("html[data-site-date='2018-06-01']", state="attached")
            assert page.evaluate(FILL_OF, "06").lower() == "#0072b2"
            assert "1" in page.locator("#legend li[data-key='limits'] .count").inner_text()
            point = page.evaluate("""() => { const l = window.site.layers.state.getLayers()
                    .find((x) => x.feature.id === '06'); const b = document.getElementById('map')
                    .getBoundingClientRect(); const p = window.site.map.latLngToContainerPoint(l.getCenter());
                    return [b.left + p.x, b.top + p.y]; }""")
            page.mouse.click(*point)
            link = page.wait_for_selector("#details a.source", timeout=10_000)
            assert link.get_attribute("href") == SOURCE
            assert "California" in page.locator("#details h2").inner_text()
            assert "j=06" in page.url
            # A title from the data stays text: Harris County's measure, in force in 2020.
            page.goto(base + "#level=county&view=own&date=2020-01-01&j=48201")
            page.reload()
            page.wait_for_selector("#details .measure-title", timeout=30_000)
            assert page.locator("#details .measure-title").first.inner_text() == TRICKY_TITLE
            assert page.locator("#details b").count() == 0
            assert elsewhere == [] and errors == []
        finally:
            browser.close()


def test_the_spanish_edition_has_its_own_page_index_and_category_files(site, dataset):
    """es/index.html reads data/index.es.json: Spanish words for site.js, Babel's dates, Spanish layers."""
    page = (site / "es" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="es">' in page and 'data-index="data/index.es.json"' in page and 'data-root="../"' in page
    assert "políticas de cooperación con el control migratorio" in page and "Qué estados, condados" in page
    assert "Which states" not in page
    index = read_json(site / "data" / "index.es.json")
    assert index["strings"]["play"] == "▶ Reproducir"
    assert index["longDates"]["2017-01-01"] == "1 de enero de 2017"
    assert index["views"]["effective"] == "Lo que rige aquí"
    days = [dt.date.fromisoformat(d) for d in index["dates"]]
    files = index["files"]["county"]["effective"]
    payload = read_json(site / files["files"][files["steps"][-1]])
    layer = build_layer(dataset, days[-1], "county", "effective", lang="es")
    assert payload["labels"] == [c.label for c in layer.categories]
    assert payload["title"] == layer.title()
    assert all(item["href"].startswith("downloads/") and (site / item["href"]).is_file() for item in index["downloads"])
    assert (site / "es" / "methodology.html").is_file()
    # The English edition is unchanged by the Spanish one beside it.
    assert read_json(site / "data" / "index.json")["strings"]["play"] == "▶ Play"


# --- The city level: every incorporated place, a state at a time ------------------------------------

BAKERSFIELD, KERN = "0603526", "06029"


@pytest.fixture(scope="module")
def city_site(tmp_path_factory, mirror_cache) -> Path:
    """Small tables (California limits from 2018, Los Angeles and Kern Counties too) over the mirror's
    places: every incorporated place's outline, Bakersfield in Kern County among them."""
    from geodata.config import settings
    from geodata.tables import DESIGNATION_COLUMNS, POLICY_COLUMNS
    from tests.conftest import mirror_env, write_csv

    folder = tmp_path_factory.mktemp("city-tables")
    measures = [measure_row(),
                measure_row(measure_id="m4", geoid="06037", jurisdiction="Los Angeles County", direction="limits",
                            provisions="detainer_limits", adopted="2016-12-01", effective="2017-01-01"),
                measure_row(measure_id="m5", geoid=KERN, jurisdiction="Kern County", direction="limits",
                            title="Kern County detainer policy", instrument="ordinance", provisions="detainer_limits",
                            adopted="2018-02-01", effective="2018-03-01")]
    policies = write_csv(folder / "policies.csv", POLICY_COLUMNS, measures)
    designations = write_csv(folder / "designations.csv", DESIGNATION_COLUMNS, [designation_row()])
    config = settings(mirror_env(mirror_cache))
    data = load_dataset(policies, designations, config)
    out = tmp_path_factory.mktemp("city") / "site"
    write_site(out, data, config.cache_dir, today=TODAY, levels=("state", "place"))
    return out


def test_the_city_level_has_every_incorporated_place_by_state_with_its_county(city_site):
    index = read_json(city_site / "data" / "index.json")
    assert "place" in index["files"]
    outlines = index["outlines"]
    assert len(outlines) >= 50 and "06" in outlines
    california = read_json(city_site / outlines["06"]["url"])
    by_id = {f["id"]: f["properties"] for f in california["features"]}
    assert len(by_id) > 400  # California has about 480 incorporated places; the tables name a handful
    assert by_id[BAKERSFIELD] == {"name": "Bakersfield, California", "c": KERN}
    # Only the places the tables name load with the national view; the rest a state at a time.
    named = {f["id"] for f in read_json(city_site / index["places"])["features"]}
    assert BAKERSFIELD not in named
    # And the category files say what build_layer says for every one of them, Bakersfield too.
    day = dt.date(2018, 6, 1)
    files = index["files"]["place"]["effective"]
    payload = read_json(city_site / files["files"][files["steps"][index["dates"].index(day.isoformat())]])
    assert decode_category(payload, BAKERSFIELD) == "limits"  # California's law applies there


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_bakersfield_is_drawn_when_zoomed_in_and_a_click_shows_its_state_and_county(city_site):
    sync_api = pytest.importorskip("playwright.sync_api")
    with static_server(city_site) as base, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            fetched: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: fetched.append(r.url))
            page.goto(base + "#level=place&view=effective&date=2018-06-01", timeout=30_000)
            page.wait_for_selector("html[data-site-ready='1']", state="attached", timeout=30_000)
            # The national view fetches no state's outlines.
            assert not [u for u in fetched if "/data/outlines/" in u]
            # Zoom in on Bakersfield, as a reader would: California's places load, and only the states in view.
            from dashboard.publish.screen import screen_point

            y, x = screen_point(35.37, -119.02, "06")
            page.evaluate("([y, x]) => { window.site.map.setView([y, x], window.site.nationalZoom + 4, "
                          "{animate: false}); }", [y, x])
            page.wait_for_selector("html[data-site-town-states]", state="attached", timeout=30_000)
            loaded = {u.rsplit("/", 1)[-1] for u in fetched if "/data/outlines/" in u}
            assert "06.geojson" in loaded and len(loaded) < 10, loaded
            point = page.evaluate("""(g) => { const layer = Object.values(window.site.layers).find((l) =>
                    l.kind === 'town' && l.getLayers().some((x) => x.feature.id === g));
                    const shape = layer.getLayers().find((x) => x.feature.id === g);
                    const b = document.getElementById('map').getBoundingClientRect();
                    const p = window.site.map.latLngToContainerPoint(shape.getCenter());
                    return [b.left + p.x, b.top + p.y]; }""", BAKERSFIELD)
            page.mouse.click(*point)
            page.wait_for_selector("#details .measure-title", timeout=10_000)
            assert page.locator("#details h2").inner_text() == "Bakersfield, California"
            details = page.locator("#details").inner_text()
            assert "applies via California" in details and "applies via Kern County" in details
            assert "Kern County detainer policy" in details
            assert "Limits cooperation" in details
            assert f"j={BAKERSFIELD}" in page.url
            page.screenshot(path=str(Path(__file__).parent / "output" / "site-bakersfield.png"))
            assert errors == []
        finally:
            browser.close()
