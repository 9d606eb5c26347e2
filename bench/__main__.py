"""`make bench`: every figure beside a baseline measured in the same run (these machines are noisy).

Baselines:
- snapshot: looking up every county on its own with `status_of` (no shared work);
- map: bench/naive_app.py, which rebuilds a folium GeoJson choropleth on every slider step;
- the static edition: the app's own figures, measured in the same run.

Each row also shows the same figure from the last run ("last run" column), kept in
bench/output/last-run.json (git-ignored), so a change shows up against both.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
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
from tests.devserver import serve, static_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
STEPS = int(os.environ.get("BENCH_STEPS", "10"))
LAST_RUN = REPO / "bench" / "output" / "last-run.json"


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


def plain_row(name: str, ours: float, unit: str, target: str, beside: str = "") -> str:
    """A figure with no naive baseline (the naive app has no such view); `beside` says what to compare it with."""
    return f"| {name} | {ours:,.1f} {unit} | {beside or 'n/a'} | | {target} |"


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def figure_of(line: str) -> tuple[str, str] | None:
    """(figure name, this run's value) of a table row: 'ours', or p50 / p95 for a load-test row."""
    parts = cells(line)
    if len(parts) < 3 or parts[0] in ("figure", "---"):
        return None
    value = f"{parts[1]} / {parts[2]}" if parts[0].startswith("load test") and parts[1].startswith("p50") else parts[1]
    return parts[0], value


def read_last_run(path: Path = LAST_RUN) -> dict[str, str]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def with_last_run(line: str, last: dict[str, str]) -> str:
    figure = figure_of(line)
    return f"{line} {last.get(figure[0], '—') if figure else ''} |"


def save_run(figures: dict[str, str], path: Path = LAST_RUN) -> None:
    """This run's figures, over the last run's (a figure this run did not measure keeps its old value)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**read_last_run(path), **figures}, indent=1, ensure_ascii=False), encoding="utf-8")


def snapshot_rows() -> list[str]:
    data = load_dataset()
    day = dt.date(2025, 8, 5)
    counties = [j.geoid for j in data.gazetteer.of_level("county")]
    # Worked out afresh each time (snapshot keeps the last few per process; a cache hit would time nothing).
    compute = snapshot.__wrapped__
    compute(day, "county", data)
    ours = median_ms(lambda: compute(day, "county", data), 50)
    naive = median_ms(lambda: [status_of(data, g, day) for g in counties], 5)

    def fresh_layer() -> None:
        snapshot.cache_clear()
        build_layer(data, day, "county", "effective")

    layer = median_ms(fresh_layer, 20)
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
    national = national_payload()
    return [
        row("county geometry sent (raw)", len(topo) / kb, len(naive) / kb, "KB", "≤ 1,024 KB"),
        row("county geometry sent (gzip)", len(gzip.compress(topo)) / kb, len(gzip.compress(naive)) / kb, "KB",
            "(compressed on the wire)"),
        *(row(f"national view, {level} level: every file the map fetches (raw)", sum(sizes.values()) / kb,
              len(naive) / kb, "KB", "≤ 1,024 KB") for level, sizes in national.items()),
    ]


def national_payload() -> dict[str, dict[str, int]]:
    """What the browser fetches for the national view at each level, by file, in bytes: the shapes, the
    names, the map's code and labels, and at city level the places the tables name (every other
    incorporated place comes a state at a time, on zooming in). Leaflet itself is left out."""
    from dashboard.mapview import atlas_url, map_bundle_js
    from dashboard.resources import assets

    data = load_dataset()
    urls, names_url, points_url = assets.__wrapped__(data, data.version)
    static = REPO / "dashboard"

    def size(url: str | None) -> int:
        return (static / url.removeprefix("/app/")).stat().st_size if url else 0

    common = {"names": size(names_url), "code and labels": len(map_bundle_js().encode())}
    return {"county": {"atlas": size(atlas_url("county", urls)), **common},
            "city": {"atlas": size(atlas_url("place", urls)), **common,
                     "places": size(urls.places) or size(points_url)}}


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


def city_step(browser, url: str) -> tuple[float, int, int]:
    """(median slider step -> repaint, shapes drawn, states whose places were loaded) at city level, once
    every state's places are loaded (none when the server's cache holds no place outlines)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    frame = frame_with(page, "document.documentElement.dataset.cmReady", lambda v: v == "1")
    frame = map_date(page)
    states = frame.evaluate("window.cm.outlineStates()")
    frame.evaluate("window.cm.loadAllOutlines()")
    frame_with(page, "document.documentElement.dataset.cmTownStates || '0'", lambda v: int(v) >= states, 120)
    drawn = frame.evaluate("Object.values(window.cm.layers).reduce((n, l) => n + l.getLayers().length, 0)")
    wait_until_idle(page)
    steps = []
    for _ in range(STEPS):
        before = frame.evaluate("document.documentElement.dataset.cmDate")
        page.get_by_role("slider").first.focus()
        start = time.perf_counter()
        page.keyboard.press("ArrowRight")
        frame = map_date(page, differs_from=before)
        steps.append((time.perf_counter() - start) * 1000)
        time.sleep(0.3)
    page.close()
    return statistics.median(steps), drawn, states


def browser_missing() -> str | None:
    """Why the browser figures cannot be measured here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed"
    return None if Path(CHROMIUM).exists() else "Debian's chromium not installed"


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def built_cache() -> Path:
    """The project's cache when `python -m geodata build` has filled it (the real places, ICE's sheets),
    else an empty one: the app then draws what it can without them, as a fresh install does."""
    from geodata.boundaries import read_place_shapes
    from geodata.config import settings

    cache = settings().cache_dir
    return cache if read_place_shapes(cache) is not None else Path(tempfile.mkdtemp())


def city_scope(drawn: int, states: int) -> str:
    if not states:
        return f"no place outlines built ({drawn:,} shapes)"
    return f"every state's places loaded ({states} states, {drawn:,} shapes)"


def browser_rows() -> tuple[list[str], dict[str, float]]:
    """The app's browser figures, and (for the static edition's rows) its first paint and steps."""
    if (missing := browser_missing()) is not None:
        return [f"| browser figures | skipped: {missing} | | | |"], {}
    from playwright.sync_api import sync_playwright

    env = dict(os.environ)
    query = "?date=2018-06-01&level=county&view=effective"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with serve("dashboard/app.py", env) as ours_url, serve("bench/naive_app.py", env) as naive_url:
            # Warm both servers (imports, caches) before measuring.
            browser_figures(browser, ours_url + query, "document.documentElement.dataset.cmReady")
            browser_figures(browser, naive_url, "document.readyState === 'complete' ? '1' : ''")
            ours = browser_figures(browser, ours_url + query, "document.documentElement.dataset.cmReady")
            naive = browser_figures(browser, naive_url, "document.readyState === 'complete' ? '1' : ''")
            click = click_figure(browser, ours_url + query, "document.documentElement.dataset.cmReady")
            naive_click = click_figure(browser, naive_url, "document.readyState === 'complete' ? '1' : ''", naive=True)
            city, drawn, states = city_step(browser, ours_url + query.replace("level=county", "level=place"))
        browser.close()
    return [
        row("slider step → repainted map, county level (median)", ours["step"], naive["step"], "ms", "≤ 100 ms"),
        plain_row(f"slider step → repainted map, city level, {city_scope(drawn, states)}", city,
                  "ms", "≤ 200 ms", f"county level {ours['step']:,.1f} ms"),
        row("first load → painted map", ours["first paint"], naive["first paint"], "ms", "≤ 3,000 ms"),
        row("click → details shown, first click (median of 3 loads)", click[0], naive_click[0], "ms", "≤ 300 ms"),
        row(f"click → details shown, median of next {len(CLICKS) - 1}", click[1], naive_click[1], "ms", "≤ 300 ms"),
    ], {"first paint": ours["first paint"], "step": ours["step"], "city step": city}


def site_figures(browser, url: str, every_place: bool = False) -> dict[str, float]:
    """First paint and median slider step of the static edition, in one fresh page; with `every_place`,
    the steps are timed once every state's places are loaded, as the app's city-level step is.

    Selectors and evaluate only: the site's Content-Security-Policy forbids Playwright's eval-based waits."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("html[data-site-ready='1']", state="attached", timeout=60_000)
    figures = {"first paint": (time.perf_counter() - start) * 1000}
    if every_place:
        states = page.evaluate("Object.keys(window.site.index.outlines || {}).length")
        page.evaluate("window.site.loadAllOutlines()")
        deadline = time.monotonic() + 120
        while int(page.evaluate("document.documentElement.dataset.siteTownStates || '0'")) < states:
            if time.monotonic() > deadline:
                raise TimeoutError("the static edition did not load every state's places")
            time.sleep(0.2)
        figures["states"] = states
        figures["shapes"] = page.evaluate(
            "Object.values(window.site.layers).reduce((n, l) => n + (l.getLayers ? l.getLayers().length : 0), 0)")
    steps = []
    for _ in range(STEPS):
        before = page.evaluate("document.documentElement.dataset.siteDate")
        page.locator("#slider").focus()
        start = time.perf_counter()
        page.keyboard.press("ArrowRight")
        page.wait_for_selector(f"html:not([data-site-date='{before}'])", state="attached", timeout=30_000)
        steps.append((time.perf_counter() - start) * 1000)
        time.sleep(0.3)
    figures["step"] = statistics.median(steps)
    page.close()
    return figures


def site_rows(app: dict[str, float]) -> list[str]:
    """The static edition, built whole (every month since the first measure, three levels, both languages):
    its size, and first paint and slider step from a plain static server, beside the app's of this run."""
    from dashboard.publish.site import write_site
    from geodata.config import settings

    config = settings()
    out = Path(tempfile.mkdtemp(prefix="bench-site-")) / "site"
    start = time.perf_counter()
    summary = write_site(out, load_dataset(config=config), config.cache_dir)
    built = time.perf_counter() - start
    files = [p for p in out.rglob("*") if p.is_file()]
    raw = sum(p.stat().st_size for p in files)
    compressed = sum(len(gzip.compress(p.read_bytes())) for p in files)
    mb = 1024 * 1024
    scope = f"{summary.dates} dates × {len(summary.levels)} levels × 4 views × 2 languages"
    rows = [
        plain_row(f"static edition: whole site ({scope}, raw)", raw / mb, "MB", "reported",
                  f"{summary.category_files:,} distinct category files"),
        plain_row("static edition: whole site (gzip, as a CDN serves it)", compressed / mb, "MB", "reported"),
        plain_row("static edition: build time", built, "s", "reported"),
    ]
    if (missing := browser_missing()) is not None:
        shutil.rmtree(out.parent, ignore_errors=True)
        return [*rows, f"| static edition, browser figures | skipped: {missing} | | | |"]
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p, static_server(out) as base:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            county = base + "#level=county&view=effective&date=2018-06-01"
            site_figures(browser, county)  # warm the server and the browser's code cache, as for the app
            ours = site_figures(browser, county)
            city = site_figures(browser, county.replace("level=county", "level=place"), every_place=True)
            browser.close()
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)

    def beside(key: str) -> str:
        return f"app {app[key]:,.1f} ms" if key in app else "app not measured"

    return [
        *rows,
        plain_row("static edition: first load → painted map (local static server)", ours["first paint"], "ms",
                  "≤ 3,000 ms", beside("first paint")),
        plain_row("static edition: slider step → repainted map, county level (median)", ours["step"], "ms",
                  "≤ 100 ms", beside("step")),
        plain_row("static edition: slider step → repainted map, city level, "
                  f"{city_scope(int(city['shapes']), int(city['states']))} (median)", city["step"],
                  "ms", "≤ 200 ms", beside("city step")),
    ]


def main() -> int:
    from bench.loadtest import load_rows

    # Every server and build below reads one cache: the built one when there is one.
    os.environ["GEODATA_CACHE_DIR"] = os.environ.get("GEODATA_CACHE_DIR") or str(built_cache())
    last = read_last_run()
    figures: dict[str, str] = {}
    print("| figure | ours | naive baseline | baseline ÷ ours | target | last run |")
    print("|---|---|---|---|---|---|")

    def show(line: str) -> None:
        print(with_last_run(line, last), flush=True)
        if (figure := figure_of(line)) is not None:
            figures[figure[0]] = figure[1]

    try:
        app_lines, app = browser_rows()
        for line in snapshot_rows() + payload_rows() + app_lines:
            show(line)
        for line in site_rows(app):
            show(line)
        # N readers at once on one server (BENCH_READERS), then 50 on two servers behind a sticky proxy
        # (see bench/loadtest.py); the columns are p50, p95, errors and memory, with no baseline.
        for line in load_rows():
            show(line)
        for line in load_rows([50], servers=2):
            show(line)
    finally:
        save_run(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
