"""`make bench`: every figure beside a baseline measured in the same run (these machines are noisy).

Baselines:
- snapshot: looking up every county on its own with `status_of` (no shared work);
- map: bench/naive_app.py, which rebuilds a folium GeoJson choropleth on every slider step.
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from geodata.atlas import ARTIFACT  # noqa: E402
from geodata.layers import build_layer  # noqa: E402
from geodata.load import load_dataset  # noqa: E402
from geodata.snapshot import snapshot, status_of  # noqa: E402
from tests.devserver import serve  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
STEPS = int(os.environ.get("BENCH_STEPS", "10"))


def median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def row(name: str, ours: float, baseline: float, unit: str, target: str) -> str:
    ratio = baseline / ours if ours else float("inf")
    return f"| {name} | {ours:,.1f} {unit} | {baseline:,.1f} {unit} | {ratio:,.1f}x | {target} |"


def snapshot_rows() -> list[str]:
    data = load_dataset()
    day = dt.date(2025, 8, 5)
    counties = [j.geoid for j in data.gazetteer.of_level("county")]
    snapshot(day, "county", data)
    ours = median_ms(lambda: snapshot(day, "county", data), 50)
    naive = median_ms(lambda: [status_of(data, g, day) for g in counties], 5)
    layer = median_ms(lambda: build_layer(data, day, "county", "effective"), 20)
    return [
        row(f"snapshot, {len(counties):,} counties", ours, naive, "ms", "≤ 20 ms"),
        row("layer (snapshot + categories + sources), counties", layer, naive, "ms", "≤ 40 ms"),
    ]


def payload_rows() -> list[str]:
    import folium
    import geopandas as gpd

    from dashboard.publish.screen import national_topology
    from geodata.layers import CATEGORIES

    topo = national_topology().encode()  # what the browser fetches: the Albers-projected TopoJSON
    counties = gpd.read_file(ARTIFACT, layer="counties").set_crs(4326).rename(columns={"id": "geoid"})
    counties["status"] = "none"
    palette = {c.key: c.color for c in CATEGORIES["effective"]}
    fmap = folium.Map(tiles=None)
    folium.GeoJson(
        counties, style_function=lambda f: {"fillColor": palette[f["properties"]["status"]]},
        tooltip=folium.GeoJsonTooltip(["name", "status"]),
    ).add_to(fmap)
    naive = fmap.get_root().render().encode()
    kb = 1024
    return [
        row("county geometry sent (raw)", len(topo) / kb, len(naive) / kb, "KB", "≤ 1,024 KB"),
        row("county geometry sent (gzip)", len(gzip.compress(topo)) / kb, len(gzip.compress(naive)) / kb, "KB",
            "(compressed on the wire)"),
    ]


def frame_with(page, expression: str, predicate: Callable[[object], bool], timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                if predicate(frame.evaluate(expression)):
                    return frame
            except Exception:  # frames are replaced while Streamlit renders
                continue
        time.sleep(0.005)
    raise TimeoutError(expression)


def map_date(page, differs_from: str | None = None):
    return frame_with(page, "document.documentElement.dataset.cmDate || ''",
                      lambda d: bool(d) and d != differs_from)


def browser_figures(browser, url: str, ready: str) -> dict[str, float]:
    """First paint, and slider step -> repaint, in one fresh page."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    start = time.perf_counter()
    page.goto(url)
    frame = frame_with(page, ready, lambda v: v == "1")
    frame = map_date(page)
    figures = {"first paint": (time.perf_counter() - start) * 1000}
    steps = []
    for _ in range(STEPS):
        before = frame.evaluate("document.documentElement.dataset.cmDate")
        page.get_by_role("slider").first.focus()
        start = time.perf_counter()
        page.keyboard.press("ArrowRight")
        frame = map_date(page, differs_from=before)
        steps.append((time.perf_counter() - start) * 1000)
        time.sleep(0.3)
    figures["step"] = statistics.median(steps)
    page.close()
    return figures


CLICKS = (
    (34.3, -118.2, "06", "Los Angeles County, California"), (41.8, -87.7, "17", "Cook County, Illinois"),
    (29.8, -95.4, "48", "Harris County, Texas"), (47.5, -121.8, "53", "King County, Washington"),
    (33.4, -112.5, "04", "Maricopa County, Arizona"), (36.2, -115.0, "32", "Clark County, Nevada"),
)


def wait_until_idle(page, timeout: float = 60.0) -> None:
    """Until the app's first run has finished: a reader clicks a loaded page."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout * 1000)
    time.sleep(0.5)


def click_once(page, frame, lat: float, lon: float, fips: str, name: str, naive: bool) -> float:
    # Page coordinates, so the timer covers the click alone, not Playwright's actionability checks.
    if not naive:  # ours draws the Albers USA plane; the naive baseline is a plain lat/lon map
        from dashboard.publish.screen import screen_point

        lat, lon = screen_point(lat, lon, fips)
    x, y = frame.evaluate(
        "([lat, lon]) => { const m = window.cm ? window.cm.map : window.map_div;"
        " const p = m.latLngToContainerPoint([lat, lon]);"
        " const r = m.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }",
        [lat, lon])
    box = frame.frame_element().bounding_box()
    start = time.perf_counter()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.get_by_role("heading", name=name).wait_for(timeout=30_000)
    return (time.perf_counter() - start) * 1000


def click_figure(browser, url: str, ready: str, naive: bool = False, pages: int = 3) -> tuple[float, float]:
    """(first click after load, median of the later clicks), from click to the details heading.

    The first click on a page is the slowest (Streamlit's frontend renders its first update),
    so it is measured on several fresh pages and the median reported.
    """
    firsts, later = [], []
    for attempt in range(pages):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        frame = frame_with(page, ready, lambda v: v == "1")
        frame = map_date(page)
        wait_until_idle(page)
        clicks = CLICKS if attempt == pages - 1 else CLICKS[:1]
        for i, (lat, lon, fips, name) in enumerate(clicks):
            (firsts if i == 0 else later).append(click_once(page, frame, lat, lon, fips, name, naive))
            time.sleep(0.5)
        page.close()
    return statistics.median(firsts), statistics.median(later)


def browser_rows() -> list[str]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return ["| browser figures | skipped: playwright not installed | | | |"]
    if not Path(CHROMIUM).exists():
        return ["| browser figures | skipped: Debian's chromium not installed | | | |"]
    env = {**os.environ, "GEODATA_CACHE_DIR": os.environ.get("GEODATA_CACHE_DIR", tempfile.mkdtemp())}
    query = "?date=2018-06-01&level=county&view=effective"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        with serve("dashboard/app.py", env) as ours_url, serve("bench/naive_app.py", env) as naive_url:
            # Warm both servers (imports, caches) before measuring.
            browser_figures(browser, ours_url + query, "document.documentElement.dataset.cmReady")
            browser_figures(browser, naive_url, "document.readyState === 'complete' ? '1' : ''")
            ours = browser_figures(browser, ours_url + query, "document.documentElement.dataset.cmReady")
            naive = browser_figures(browser, naive_url, "document.readyState === 'complete' ? '1' : ''")
            click = click_figure(browser, ours_url + query, "document.documentElement.dataset.cmReady")
            naive_click = click_figure(browser, naive_url, "document.readyState === 'complete' ? '1' : ''", naive=True)
        browser.close()
    return [
        row("slider step → repainted map (median)", ours["step"], naive["step"], "ms", "≤ 200 ms"),
        row("first load → painted map", ours["first paint"], naive["first paint"], "ms", "≤ 3,000 ms"),
        row("click → details shown, first click (median of 3 loads)", click[0], naive_click[0], "ms", "≤ 300 ms"),
        row(f"click → details shown, median of next {len(CLICKS) - 1}", click[1], naive_click[1], "ms", "≤ 300 ms"),
    ]


def main() -> int:
    print("| figure | ours | naive baseline | baseline ÷ ours | target |")
    print("|---|---|---|---|---|")
    for line in snapshot_rows() + payload_rows() + browser_rows():
        print(line, flush=True)
    from bench.loadtest import load_rows

    for line in load_rows():  # N readers at once (BENCH_READERS), no baseline: see bench/loadtest.py
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
