"""End to end in headless Chromium: the app served by `streamlit run` on a free port.

Like datasette's browser tests, the server fixture polls the health URL instead of sleeping.
Screenshots go to tests/output/ for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dashboard.publish.screen import screen_point
from tests.conftest import CENSUS_MIRROR, ICE_MIRROR, REPO
from tests.devserver import serve

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = REPO / "tests" / "output"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    cache = tmp_path_factory.mktemp("cache")
    env = {**os.environ, "GEODATA_CACHE_DIR": str(cache)}
    if CENSUS_MIRROR.is_dir():
        env |= {"GEODATA_CENSUS_SOURCE": str(CENSUS_MIRROR), "GEODATA_CENSUS_YEAR": "2015"}
        build = [sys.executable, "-m", "geodata", "build"]
        if ICE_MIRROR.is_dir():
            env["GEODATA_ICE287G_SOURCE"] = str(ICE_MIRROR)
        else:
            build.append("--skip-287g")
        subprocess.run(build, env=env, cwd=REPO, check=False, capture_output=True, timeout=600)
    with serve("dashboard/app.py", env) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield instance
        instance.close()


def map_frame(page, timeout: float = 60.0):
    """The streamlit-folium iframe, once its shapes are drawn."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if frame.evaluate("document.documentElement.dataset.cmReady") == "1":
                    return frame
            except Exception:  # frames come and go while Streamlit renders
                continue
        time.sleep(0.1)
    raise AssertionError("the map never finished drawing")


def click_map(frame, lat: float, lon: float, state_fips: str) -> None:
    """Click the map with the mouse at a latitude/longitude (in a state: Alaska, Hawaii and Puerto Rico are
    insets)."""
    y_km, x_km = screen_point(lat, lon, state_fips)
    x, y = frame.evaluate(
        "([y, x]) => { const p = window.cm.map.latLngToContainerPoint([y, x]); return [p.x, p.y]; }",
        [y_km, x_km],
    )
    frame.locator(".leaflet-container").click(position={"x": x, "y": y})


def record_requests_elsewhere(page, server: str) -> list[str]:
    """No CDN, tile server or icon font at run time: collects any request not to the app itself."""
    host = urlsplit(server).netloc
    elsewhere: list[str] = []
    page.on("request", lambda r: urlsplit(r.url).scheme in ("http", "https", "ws", "wss")
            and urlsplit(r.url).netloc != host and elsewhere.append(r.url))
    return elsewhere


def full_screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its own container, so full_page alone stops at the fold."""
    height = page.evaluate(
        "Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], [data-testid=\"stMainBlockContainer\"]')]"
        ".map(e => e.scrollHeight), document.documentElement.scrollHeight)"
    )
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 5000)})
    time.sleep(0.5)
    page.screenshot(path=path)
    page.set_viewport_size(size)


def wait_for_map_date(frame, day: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if frame.evaluate("document.documentElement.dataset.cmDate") == day:
            return
        time.sleep(0.05)
    raise AssertionError(f"map did not repaint for {day}")


def test_city_details_slider_and_county_click(server, browser):
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    elsewhere = record_requests_elsewhere(page, server)
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(f"{server}/?date=2025-01-01&level=place&j=0644000")
    frame = map_frame(page)
    page.get_by_role("heading", name="Los Angeles, California").wait_for(timeout=30_000)
    source = page.get_by_role("link", name="Source").first
    assert source.get_attribute("href").startswith("https://")
    # The city level's base map is the states alone; Los Angeles, simplified in the national file, is
    # swapped for its whole outline once California's places arrive (the map is focused on it).
    atlases = {u.rsplit("/", 1)[-1].rsplit("-", 1)[0] for u in fetched if "/static/geo/atlas" in u}
    assert atlases == {"atlas-states"}, atlases
    whole = ("(g) => Object.entries(window.cm.layers).some(([k, l]) => k.startsWith('place-')"
             " && l.getLayers().some((x) => x.feature.id === g))")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not frame.evaluate(whole, "0644000"):
        time.sleep(0.1)
    assert frame.evaluate(whole, "0644000")
    assert not frame.evaluate("(g) => window.cm.layers.place.getLayers().some((x) => x.feature.id === g)", "0644000")
    full_screenshot(page, OUTPUT / "city-details.png")

    # 1. Move the slider one step with the keyboard: the map repaints without remounting.
    slider = page.get_by_role("slider").first
    slider.focus()
    page.keyboard.press("ArrowRight")
    wait_for_map_date(frame, "2025-01-20")
    assert map_frame(page) == frame

    # 2. Counties: click Los Angeles County and see its details.
    page.goto(f"{server}/?date=2025-01-01&level=county")
    frame = map_frame(page)
    click_map(frame, 34.3, -118.2, "06")
    page.get_by_role("heading", name="Los Angeles County, California").wait_for(timeout=30_000)
    # The heading is drawn mid-run; the address bar is written at the run's end.
    page.wait_for_function("location.search.includes('j=06037')", timeout=30_000)
    full_screenshot(page, OUTPUT / "county-click.png")
    assert not elsewhere, f"requests left the app: {elsewhere}"


def test_national_and_compare_views(server, browser):
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/?date=2018-06-01&level=county&view=effective")
    map_frame(page)
    full_screenshot(page, OUTPUT / "national-counties.png")
    page.goto(f"{server}/?date=2025-08-05&level=state&compare=2016-01-01")
    map_frame(page)
    page.get_by_text("What changed from").first.wait_for(timeout=30_000)
    full_screenshot(page, OUTPUT / "compare-states.png")


def test_phone_layout(server, browser):
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page.goto(f"{server}/?date=2025-01-01&level=state&j=06")
    map_frame(page)
    page.get_by_role("heading", name="California").first.wait_for(timeout=30_000)
    page.screenshot(path=OUTPUT / "phone.png", full_page=False)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, "the page scrolls sideways on a phone"


@pytest.mark.skipif(not ICE_MIRROR.is_dir(), reason=f"ICE 287(g) mirror not found at {ICE_MIRROR}")
def test_embed_mode_and_287g_layer(server, browser):
    """?embed=true: only the map, legend, slider and credit; the 287(g) view plays on the timeline."""
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    elsewhere = record_requests_elsewhere(page, server)
    page.goto(f"{server}/?embed=true&date=2025-07-18&level=county&view=287g")
    frame = map_frame(page)
    page.get_by_text("Census Bureau boundaries").first.wait_for(timeout=30_000)
    assert page.get_by_role("heading", name="Immigration-enforcement cooperation policy").count() == 0
    assert page.get_by_role("radiogroup").count() == 0
    assert page.get_by_role("slider").count() == 1
    page.screenshot(path=OUTPUT / "embed-287g.png")
    page.get_by_role("slider").first.focus()
    page.keyboard.press("ArrowRight")
    wait_for_map_date(frame, "2025-08-01")
    assert not elsewhere, f"requests left the app: {elsewhere}"


@pytest.mark.skipif(not ICE_MIRROR.is_dir(), reason=f"ICE 287(g) mirror not found at {ICE_MIRROR}")
def test_state_agency_agreements_and_a_reversed_comparison(server, browser):
    """Alaska is coloured by its laws alone, its agencies' agreements show in the 287(g) view; a reversed
    comparison is swapped with a notice."""
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/?date=2025-08-05&level=state&view=effective&j=02")
    map_frame(page)
    page.get_by_text("what applies here: No measure recorded").first.wait_for(timeout=30_000)
    page.get_by_text("state-agency 287(g) agreement: binds that agency only").first.wait_for(timeout=30_000)
    full_screenshot(page, OUTPUT / "alaska-effective.png")
    page.goto(f"{server}/?date=2025-08-05&level=state&view=287g")
    map_frame(page)
    page.get_by_text("A state agency has a 287(g) agreement").first.wait_for(timeout=30_000)
    page.get_by_text("ICE sheet of 2025-07-18").first.wait_for(timeout=30_000)
    full_screenshot(page, OUTPUT / "state-agencies-287g.png")
    page.goto(f"{server}/?date=2010-01-01&compare=2020-01-01&level=state")
    map_frame(page)
    page.get_by_text("the dates were swapped").first.wait_for(timeout=30_000)
    page.get_by_text("What changed from January 1, 2010 to January 1, 2020").first.wait_for(timeout=30_000)
    assert "date=2020-01-01" in page.url and "compare=2010-01-01" in page.url
    full_screenshot(page, OUTPUT / "compare-swapped.png")


def whole_country_in_view(page, frame) -> bool:
    """The map's frame is inside the viewport and the map shows the whole country, insets included."""
    box = frame.frame_element().bounding_box()
    size = page.viewport_size
    inside = box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= size["width"] + 1 \
        and box["y"] + box["height"] <= size["height"] + 1
    shows_all = frame.evaluate("cm.map.getBounds().pad(0.001).contains(cm.config.nationalBounds)")
    return inside and shows_all


#: the container pixels of the shapes drawn for one state (by GEOID prefix): {left, top, right, bottom, width, height}
STATE_PIXELS = """(fips) => {
  let bounds = null;
  for (const layer of Object.values(cm.layers)) {
    if (!layer.eachLayer) continue;
    layer.eachLayer((l) => {
      if (!l.feature || !String(l.feature.id).startsWith(fips) || !l.getBounds) return;
      const b = l.getBounds();
      bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
    });
  }
  if (!bounds) return null;
  const sw = cm.map.latLngToContainerPoint(bounds.getSouthWest());
  const ne = cm.map.latLngToContainerPoint(bounds.getNorthEast());
  const size = cm.map.getSize();
  return { left: sw.x, bottom: sw.y, right: ne.x, top: ne.y, width: size.x, height: size.y };
}"""


def state_drawn_in_view(frame, fips: str, min_width: float) -> bool:
    """The state's shapes are drawn, whole, inside the map's frame, and at least `min_width` px wide."""
    px = frame.evaluate(STATE_PIXELS, fips)
    if not px:
        return False
    inside = px["left"] >= 0 and px["right"] <= px["width"] and px["top"] >= 0 and px["bottom"] <= px["height"]
    return inside and px["right"] - px["left"] >= min_width


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (1366, 768), (390, 844)])
def test_the_whole_country_and_the_legend_are_in_view_without_scrolling(server, browser, width, height):
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{server}/?date=2025-08-05&level=county&view=effective")
    frame = map_frame(page)
    time.sleep(1)
    page.screenshot(path=OUTPUT / f"first-screen-{width}x{height}.png")
    assert whole_country_in_view(page, frame)
    for fips in ("02", "15", "72"):  # the insets too: Alaska, Hawaii and Puerto Rico
        assert state_drawn_in_view(frame, fips, 30 if width > 640 else 15), fips
    # beside the map on a desktop; right under it on a phone, where the map comes first
    legend = page.locator(".cm-legend").first.bounding_box()
    assert legend["y"] + legend["height"] <= height
    map_box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    assert map_box["y"] < legend["y"] if width <= 640 else map_box["x"] < legend["x"]


def test_puerto_rico_clicks_search_and_permalinks(server, browser):
    """Puerto Rico, in its inset, answers clicks, search and permalinks like a state, and is called a territory."""
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{server}/?date=2025-08-05&level=county")
    frame = map_frame(page)
    click_map(frame, 18.40, -66.06, "72")  # San Juan
    page.get_by_role("heading", name="San Juan Municipio, Puerto Rico").wait_for(timeout=30_000)
    page.wait_for_url(re.compile(r"j=72127"), timeout=30_000)

    page.goto(f"{server}/?date=2025-08-05&level=state&view=effective&j=72")
    frame = map_frame(page)
    page.get_by_role("heading", name="Puerto Rico", exact=True).wait_for(timeout=30_000)
    page.get_by_text("what applies here: No measure recorded").first.wait_for(timeout=30_000)
    page.get_by_text("states, DC and Puerto Rico on August 5, 2025").first.wait_for(timeout=30_000)

    page.goto(f"{server}/?date=2025-08-05&level=state")
    frame = map_frame(page)
    national_zoom = frame.evaluate("cm.nationalZoom")
    box = page.get_by_label("Find a place")
    box.fill("Puerto Rico")
    box.press("Enter")
    page.get_by_role("button", name="Puerto Rico (territory)", exact=True).click()
    page.get_by_role("heading", name="Puerto Rico", exact=True).wait_for(timeout=30_000)
    page.wait_for_url(re.compile(r"j=72(&|$)"), timeout=30_000)
    frame = map_frame(page)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and frame.evaluate("cm.map.getZoom()") < national_zoom + 1:
        time.sleep(0.2)
    assert frame.evaluate("cm.map.getZoom()") >= national_zoom + 1, "search did not zoom to Puerto Rico"
    assert state_drawn_in_view(frame, "72", 300)
    page.screenshot(path=OUTPUT / "search-puerto-rico.png")

    if CENSUS_MIRROR.is_dir():  # San Juan's zona urbana comes from the place index
        box = page.get_by_label("Find a place")
        box.fill("San Juan")
        box.press("Enter")
        page.get_by_role("button", name="San Juan, Puerto Rico (zona urbana)", exact=True).click()
        page.get_by_role("heading", name="San Juan, Puerto Rico").wait_for(timeout=30_000)
        page.wait_for_url(re.compile(r"j=7276770"), timeout=30_000)


def test_the_exact_date_input_and_play_pause(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{server}/?date=2018-06-01&level=state")
    frame = map_frame(page)
    for part, value in (("year", "2017"), ("month", "01"), ("day", "20")):
        page.get_by_role("spinbutton", name=f"{part}, Exact date").click()
        page.keyboard.type(value)
    page.keyboard.press("Escape")  # close the calendar; the typed date is sent when focus leaves the field
    for _ in range(4):
        page.keyboard.press("Tab")
    wait_for_map_date(frame, "2017-01-20")
    # The map repaints mid-run; the address bar is written at the run's end.
    page.wait_for_function("location.search.includes('date=2017-01-20')", timeout=30_000)
    page.get_by_role("button", name="▶ Play").click()
    page.get_by_role("button", name="⏸ Pause").wait_for(timeout=30_000)
    wait_for_map_date(frame, "2017-02-01")
    page.get_by_role("button", name="⏸ Pause").click()
    page.get_by_role("button", name="▶ Play").wait_for(timeout=30_000)
    paused_at = frame.evaluate("document.documentElement.dataset.cmDate")
    time.sleep(2.5)
    assert frame.evaluate("document.documentElement.dataset.cmDate") == paused_at


def test_the_los_angeles_panel_answers_first(server, browser):
    OUTPUT.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{server}/?date=2025-01-01&level=place&j=0644000")
    map_frame(page)
    page.get_by_role("heading", name="Los Angeles, California").wait_for(timeout=30_000)
    page.get_by_text("On January 1, 2025: own measures: Limits cooperation").first.wait_for(timeout=30_000)
    page.get_by_text("Because of:").first.wait_for(timeout=30_000)
    page.get_by_role("tab", name=re.compile(r"Measures in force")).wait_for(timeout=30_000)
    cards = page.locator(".cm-card")
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert abs(first["y"] - second["y"]) < 2, "cards sit side by side across the page's width"
    page.get_by_text("adopted December 4, 2024").first.wait_for(timeout=30_000)  # Babel's long date
    page.get_by_role("tab", name=re.compile(r"Federal lists")).click()
    page.get_by_text("later than the date shown").first.wait_for(timeout=30_000)
    full_screenshot(page, OUTPUT / "los-angeles-panel.png")


@pytest.mark.skipif(not CENSUS_MIRROR.is_dir(), reason=f"Census mirror not found at {CENSUS_MIRROR}")
@pytest.mark.parametrize(
    ("query", "first", "heading"),
    [("Bakersfield", "Bakersfield, California (city)", "Bakersfield, California"),
     ("Dona Ana", "Doña Ana, New Mexico (CDP)", None),
     ("NYC", "New York, New York (city)", "New York, New York"),
     ("Saint Louis", "St. Louis, Missouri (city)", None)],
)
def test_search_finds_every_place(server, browser, query, first, heading):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{server}/?date=2025-08-05&level=state")
    map_frame(page)
    box = page.get_by_label("Find a place")
    box.fill(query)
    box.press("Enter")
    hit = page.get_by_role("button", name=first, exact=True)
    hit.wait_for(timeout=30_000)
    buttons = page.locator('[data-testid="stButton"] button').all_inner_texts()
    assert next(b for b in buttons if "(" in b) == first
    if heading:
        hit.click()
        page.get_by_role("heading", name=heading).wait_for(timeout=30_000)
        page.get_by_text("applies via").first.wait_for(timeout=30_000)
        if query == "Bakersfield":
            OUTPUT.mkdir(exist_ok=True)
            full_screenshot(page, OUTPUT / "search-bakersfield.png")


@pytest.mark.skipif(not CENSUS_MIRROR.is_dir(), reason=f"Census mirror not found at {CENSUS_MIRROR}")
def test_a_search_pick_on_a_phone_reveals_the_details(server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{server}/?date=2025-08-05&level=state")
    map_frame(page)
    box = page.get_by_label("Find a place")
    box.fill("Bakersfield")
    box.press("Enter")
    page.get_by_role("button", name="Bakersfield, California (city)", exact=True).click()
    heading = page.get_by_role("heading", name="Bakersfield, California")
    heading.wait_for(timeout=30_000)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not 0 <= heading.bounding_box()["y"] < 844:
        time.sleep(0.2)
    assert 0 <= heading.bounding_box()["y"] < 844, "the details were not scrolled into view"
    page.screenshot(path=OUTPUT / "phone-search-details.png")


@pytest.mark.parametrize("width", [320, 600, 760, 1000])
def test_the_embed_fits_its_snippets_height(server, browser, width):
    """The embed page (title, map, legend and credit) shows whole in an iframe as tall as the snippet says."""
    from dashboard.share import embed_height

    height = embed_height(width)
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{server}/?embed=true&date=2018-06-01&level=state&view=effective")
    map_frame(page)
    credit = page.get_by_text("Census Bureau boundaries").first
    credit.wait_for(timeout=30_000)
    time.sleep(1)
    content = page.evaluate(
        "Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], [data-testid=\"stMainBlockContainer\"]')]"
        ".map(e => e.scrollHeight), document.documentElement.scrollHeight)"
    )
    assert content <= height + 1, f"the embed needs {content} px at {width} px wide, the snippet gives {height}"
    box = credit.bounding_box()
    assert box["y"] + box["height"] <= height
    if width == 760:
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=OUTPUT / "embed-760.png")
