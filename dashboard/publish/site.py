"""The static edition: the map as plain files that any static host or CDN can serve.

    python -m dashboard.publish site --out DIR

The page (index.html, assets/site.js) draws the same projected TopoJSON as the app with Leaflet
from the xstatic-leaflet package, and restyles it from precomputed category files: one per date,
level and view, each `mapview.step_payload` of a `geodata.layers.build_layer` layer with the
layer's own legend (labels, colours, counts), "as of" line and notices. Files whose content is
the same on several dates are written once and named by their content; `data/index.json` says
which file each date uses. So the static page and the app cannot disagree.

Each language is written once: English at the root (index.html, data/index.json, data/<level>/…),
Spanish under es/ (es/index.html reading data/index.es.json and data/es/<level>/…); the geometry,
names and measures are shared. Every word site.js shows comes from the index's `strings`, made from
the same catalog as the app's (`geodata.i18n`), and every date and count is formatted by Babel here.

Nothing on the page asks another host for anything: no CDN, no web fonts, no tiles, and a
Content-Security-Policy of 'self' holds the browser to that.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import shutil
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import xstatic.pkg.leaflet as xstatic_leaflet

from dashboard.mapview import map_strings, step_payload
from dashboard.publish.downloads import metadata_json, snapshot_csv
from dashboard.publish.screen import city_labels, national_bounds, national_topology, state_labels
from geodata.config import PROJECT_NAME
from geodata.dataset import Dataset
from geodata.dates import KEY_DATES, key_date_label, timeline_days
from geodata.i18n import DEFAULT, LANGUAGES, N_, Translator, translator
from geodata.layers import VIEWS, Layer, build_layer, level_words, view_name
from geodata.provenance import EVIDENCE_PATH
from geodata.tables import DESIGNATIONS_PATH, POLICIES_PATH

ASSETS = Path(__file__).resolve().parents[1] / "assets"
METHODOLOGY = Path(__file__).resolve().parents[2] / "docs" / "methodology.md"
#: the methodology for readers of another language: a public summary (see dashboard/methodology_page.py)
SUMMARIES = {"es": Path(__file__).resolve().parents[2] / "docs" / "metodologia.es.md"}
#: the tables offered for download, with what each holds
TABLES: tuple[tuple[str, Path], ...] = (
    (N_("Policy tables (one row per measure)"), POLICIES_PATH),
    (N_("What each measure's source says"), EVIDENCE_PATH),
    (N_("Federal ‘sanctuary jurisdiction’ lists"), DESIGNATIONS_PATH),
)
#: the languages a site is written in: English at the root, each other one in a folder of its name
SITE_LANGS: tuple[str, ...] = tuple(LANGUAGES)
LEVELS: tuple[str, ...] = ("state", "county", "place")
#: the browser may load nothing from another host; Leaflet sets inline styles, and the CSV button makes a blob
PAGE_POLICY = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
               "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'")
#: a file in the output directory that marks it as a site this command wrote, so a rebuild may replace it
MARKER = ".cooperation-map-site"


@dataclass(frozen=True)
class SiteSummary:
    """What a build wrote."""

    out: Path
    dates: int
    category_files: int
    levels: tuple[str, ...]
    total_bytes: int


def site_dates(first: dt.date, today: dt.date) -> list[dt.date]:
    """The first of every month from `first` to `today`, plus the key dates and today: the app's timeline."""
    return timeline_days(first, today)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def category_file(layer: Layer, drawn: frozenset[str] | None = None) -> dict[str, Any]:
    """One date's categories at one level and view, compressed as the live map's step payload,
    with the layer's legend, counts, "as of" and notices. The date itself is left out so that
    identical days share a file; `drawn` narrows the codes (not the counts) to the shapes drawn."""
    shown = layer
    if drawn is not None:
        shown = replace(
            layer,
            category=MappingProxyType({g: c for g, c in layer.category.items() if g in drawn}),
            details=MappingProxyType({g: d for g, d in layer.details.items() if g in drawn}),
        )
    payload = step_payload(shown)
    counts = layer.counts()
    for transient in ("date", "selected"):
        payload.pop(transient, None)
    payload.update(
        keys=[c.key for c in layer.categories],
        counts=list(counts.values()),
        countsText=[layer.tr.number(n) for n in counts.values()],
        countsComplete=layer.counts_complete,
        asOf=layer.as_of,
        notices=list(layer.notices),
        title=layer.title(),
        heading=layer.heading,
        definition=layer.definition,
    )
    return payload


def decode_category(payload: Mapping[str, Any], geoid: str) -> str:
    """A GEOID's category key in a category file, read the way site.js reads it."""
    codes, by_state = payload["codes"], payload["byState"]
    code = codes[geoid] if geoid in codes else by_state.get(geoid[:2], payload["fallback"])
    return payload["keys"][code]


class _Writer:
    """Writes files under the staging directory and keeps count of the bytes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.total = 0

    def write(self, relative: str, data: bytes | str) -> str:
        payload = data.encode("utf-8") if isinstance(data, str) else data
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(payload)
        self.total += len(payload)
        return relative

    def copy(self, source: Path, relative: str) -> str:
        return self.write(relative, source.read_bytes())

    def named_by_content(self, folder: str, text: str, suffix: str = "json") -> str:
        """Write `text` once under a name taken from its content (a repeat costs nothing)."""
        relative = f"{folder}/{zlib.crc32(text.encode('utf-8')):08x}.{suffix}"
        if not (self.root / relative).exists():
            self.write(relative, text)
        return relative


def _measures_document(dataset: Dataset, place_county: Mapping[str, str]) -> dict[str, Any]:
    """Every measure and federal-list entry with its dates and source, for the details panel.

    The browser works out what is in force on the chosen date (effective <= date < ended, the
    rule of `Measure.in_force`) and what a county or city inherits: its state's measures and a
    city's county's, where `b` (`Measure.applies_below`) is true.
    """
    measures = {
        m.measure_id: {
            "g": m.geoid, "t": m.title, "d": m.direction, "i": m.instrument,
            "e": m.effective.isoformat(), "x": m.ended.isoformat() if m.ended else "",
            "a": m.adopted.isoformat() if m.adopted else "", "u": m.source_url,
            "b": m.applies_below, "s": m.sets_status, "p": list(m.provisions),
        }
        for m in dataset.measures
    }
    lists = [
        {"g": d.geoid, "l": d.list, "e": d.listed_on.isoformat(),
         "x": d.removed_on.isoformat() if d.removed_on else "", "u": d.source_url}
        for d in dataset.designations
    ]
    return {"measures": measures, "lists": lists, "placeCounty": dict(place_county)}


def _places(cache_dir: Path) -> tuple[str | None, frozenset[str]]:
    """The places the tables name, as the app draws them (its places file), if they were built."""
    from dashboard.static_assets import places_geojson

    return places_geojson(cache_dir)


def site_strings(tr: Translator) -> dict[str, str]:
    """Every word site.js shows a reader, in one language: `{name}` fields are filled in by site.js."""
    return {
        **map_strings(tr),
        "unit": tr("{plural} on {period}"),
        "countsIncomplete": tr("Counts are not complete: a source is missing."),
        "sources": tr("Sources: {sources}."),
        "limits": tr("Limits"),
        "requires": tr("Requires"),
        "inForceFrom": tr("in force from {day}"),
        "until": tr("until {day}"),
        "source": tr("source"),
        "hint": tr("Click a state, county or city for its measures and their sources."),
        "ownInForce": tr("Its own measures in force"),
        "noneRecorded": tr("None recorded on this date."),
        "from": tr("applies via {name}"),
        "inheritedState": tr("Measures that apply here from the state"),
        "inheritedStateOrCounty": tr("Measures that apply here from the state or county"),
        "onLists": tr("On federal lists"),
        "listOf": tr("{list} of {day}"),
        "dhsList": tr("DHS list"),
        "dojList": tr("DOJ list"),
        "play": tr("▶ Play"),
        "pause": tr("⏸ Pause"),
        "whatItIs": tr("what it is"),
        "loadFailed": tr("The map could not be loaded:"),
        "dataText": tr("Measure titles, notes and what the sources say are shown in English, as written in the "
               "sources.") if tr.lang != DEFAULT else "",
    }


def _language_links(lang: str, root: str) -> str:
    """'English | Español': each language's page, the current one unlinked; site.js keeps the fragment."""
    links = []
    for code, name in LANGUAGES.items():
        href = root + ("index.html" if code == DEFAULT else f"{code}/index.html")
        links.append(f'<span lang="{code}">{html.escape(name)}</span>' if code == lang
                     else f'<a class="lang-link" lang="{code}" href="{html.escape(href)}">{html.escape(name)}</a>')
    return " | ".join(links)


def _write_outlines(writer: _Writer, dataset: Dataset, cache_dir: Path) -> dict[str, dict[str, Any]]:
    """Every incorporated place, one file per state, as the app loads them on zooming in: the outline in
    the map's plane, its name, and its county (`c`), so a click shows what the state and the county apply
    there. state FIPS -> {"url", "bounds"}; empty when the outlines were not built."""
    from dashboard.static_assets import outline_geojson
    from geodata.placeoutlines import outline_states, read_place_outlines

    found: dict[str, dict[str, Any]] = {}
    gazetteer = dataset.gazetteer
    for state in outline_states(cache_dir):
        frame = read_place_outlines(cache_dir, state)
        if frame is None or frame.empty:
            continue
        properties = {}
        for geoid, name in zip(frame.index, frame["name"], strict=True):
            known = gazetteer.get(geoid)
            properties[geoid] = {"name": known.display_name if known else name, "c": gazetteer.place_county.get(geoid)}
        text, bounds = outline_geojson(frame, properties)
        found[state] = {"url": writer.write(f"data/outlines/{state}.geojson", text), "bounds": bounds}
    return found


def _index_html(title: str, tr: Translator | None = None, root: str = "", index: str = "data/index.json") -> str:
    """The page's shell: everything from the data is filled in by site.js as text.

    `root` leads from the page to the site's root ("" or "../"), where site.js finds `index`."""
    tr = tr or translator(DEFAULT)
    heading = html.escape(title)
    # Looked up here, not inside the page's f-string, where the catalog's extractor cannot see them.
    footer = html.escape(tr("{project}: the static edition, for embeds and busy days.", project=PROJECT_NAME))
    w = [html.escape(text) for text in (
        tr("The map could not be loaded:"),
        tr("Which states, counties and cities limit cooperation with federal immigration enforcement, "
               "and which require it, on any date since 1979. Every fact links to its source."),
        tr("What the map shows"),
        tr("Level"),
        tr("View"),
        tr("▶ Play"),
        tr("Date"),
        tr("Key dates"),
        tr("Jump to a key date…"),
        tr("Map"),
        tr("Legend"),
        tr("Click a state, county or city for its measures "
               "and their sources."),
        tr("Methodology"),
        tr("How the map is made"),
        tr("definitions, "
       "dates, provision tags, sources, known gaps and corrections."),
        tr("Downloads"),
        tr("CSV of the map as shown"),
        tr("(made in your browser: one "
       "row per jurisdiction, its category in words beside the code)"),
        tr("Boundaries: U.S. Census Bureau. Map drawn with Leaflet."),
    )]
    return f"""<!doctype html>
<html lang="{tr.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{PAGE_POLICY}">
<meta name="referrer" content="no-referrer">
<title>{heading}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{root}vendor/leaflet/leaflet.css">
<link rel="stylesheet" href="{root}assets/site.css">
</head>
<body data-root="{root}" data-index="{html.escape(index)}" data-load-failed="{w[0]}">
<header class="site-header">
  <p class="languages">{_language_links(tr.lang, root)}</p>
  <h1 id="title">{heading}</h1>
  <p class="lede">{w[1]}</p>
</header>
<main class="layout">
  <section class="controls" aria-label="{w[2]}">
    <label>{w[3]} <select id="level"></select></label>
    <label>{w[4]} <select id="view"></select></label>
    <div class="time">
      <button id="play" type="button" aria-pressed="false">{w[5]}</button>
      <input id="slider" type="range" min="0" max="0" value="0" aria-label="{w[6]}">
      <output id="date-label" for="slider"></output>
    </div>
    <label>{w[7]} <select id="key-dates"><option value="">{w[8]}</option></select></label>
    <p id="levels-note" class="note"></p>
  </section>
  <ul id="notices" class="notices" aria-live="polite"></ul>
  <div class="map-and-panel">
    <div id="map" role="region" aria-label="{w[9]}"></div>
    <aside class="panel">
      <section id="legend" aria-label="{w[10]}"></section>
      <p id="as-of" class="as-of"></p>
      <section id="details" aria-live="polite"><p class="hint">{w[11]}</p></section>
    </aside>
  </div>
  <section class="more">
    <h2>{w[12]}</h2>
    <p><a id="methodology-link" href="{root}methodology.html">{w[13]}</a>: {w[14]}</p>
    <h2>{w[15]}</h2>
    <ul id="downloads" class="downloads"></ul>
    <p><button id="csv-now" type="button">{w[16]}</button> {w[17]}</p>
  </section>
</main>
<footer class="site-footer"><p>{footer}
{w[18]}</p></footer>
<script src="{root}vendor/leaflet/leaflet.js"></script>
<script src="{root}assets/mapcore.js"></script>
<script src="{root}assets/site.js"></script>
</body>
</html>
"""


def _methodology_page(text: str, tr: Translator | None = None, root: str = "") -> str | None:
    """docs/methodology.md (or a language's summary) as a page of the site, or None when `markdown` is not
    installed."""
    tr = tr or translator(DEFAULT)
    try:
        import markdown
    except ImportError:
        return None
    body = markdown.markdown(text, extensions=["tables", "fenced_code", "toc"])
    heading, back = tr("Methodology"), tr("Back to the map")
    return f"""<!doctype html>
<html lang="{tr.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; style-src 'self'; img-src 'self'">
<meta name="referrer" content="no-referrer">
<title>{html.escape(heading)} · {html.escape(PROJECT_NAME)}</title>
<link rel="stylesheet" href="{root}assets/site.css">
</head>
<body class="methodology">
<p><a href="index.html">&larr; {html.escape(back)}</a></p>
{body}
</body>
</html>
"""


def write_site(
    out: Path,
    dataset: Dataset,
    cache_dir: Path | None = None,
    today: dt.date | None = None,
    levels: Sequence[str] = LEVELS,
    tables: Sequence[tuple[str, Path]] = TABLES,
    progress: Callable[[str], None] | None = None,
    langs: Sequence[str] = SITE_LANGS,
) -> SiteSummary:
    """Build the static site into `out`, replacing a site this function wrote there before.

    Everything is written to a staging directory beside `out` first, so a failed build leaves
    `out` as it was. `cache_dir` holds the built place shapes; without them the city level is
    left out. `tables` are the (label, CSV) downloads: the tables `dataset` was
    loaded from. Raises ValueError when `out` is a non-empty directory that is not such a site.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise ValueError(f"{out} exists and is not a site built by this command: choose another --out")
    today = today or dt.date.today()
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        summary = _build(staging, out, dataset, cache_dir, today, levels, tables, progress or (lambda _m: None),
                         langs)
        _swap_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return summary


def _swap_in(staging: Path, out: Path) -> None:
    """Replace `out` with `staging`: two renames, the old site removed only once the new one is in place."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _build(
    root: Path, out: Path, dataset: Dataset, cache_dir: Path | None, today: dt.date, levels: Sequence[str],
    tables: Sequence[tuple[str, Path]], progress: Callable[[str], None], langs: Sequence[str] = SITE_LANGS,
) -> SiteSummary:
    writer = _Writer(root)
    writer.write(MARKER, "Written by `python -m dashboard.publish site`; a rebuild replaces this directory.\n")
    leaflet = Path(xstatic_leaflet.BASE_DIR)
    for name in ("leaflet.js", "leaflet.css"):
        writer.copy(leaflet / name, f"vendor/leaflet/{name}")
    for image in sorted((leaflet / "images").iterdir()):
        writer.copy(image, f"vendor/leaflet/images/{image.name}")
    for name in ("mapcore.js", "site.js", "site.css"):
        writer.copy(ASSETS / name, f"assets/{name}")
    writer.write("data/atlas.json", national_topology())

    places_text, drawn = _places(cache_dir) if cache_dir and "place" in levels else (None, frozenset())
    levels = tuple(lv for lv in levels if lv != "place" or places_text)
    if places_text:
        writer.write("data/places.geojson", places_text)
    # With every place's outline, the category files carry every place's category (only the ones that
    # differ from their state's usual one: a few KB); without, only the drawn places'.
    outlines = _write_outlines(writer, dataset, cache_dir) if places_text and cache_dir else {}
    narrowed = None if outlines else drawn
    names = {
        j.geoid: j.display_name for j in dataset.gazetteer.jurisdictions.values()
        if j.level in ("state", "county") or j.geoid in drawn
    }
    writer.write("data/names.json", _json(names))
    place_county = {g: c for g, c in dataset.gazetteer.place_county.items() if g in drawn}
    writer.write("data/measures.json", _json(_measures_document(dataset, place_county)))

    days = site_dates(dataset.first_date, today)
    # Every date site.js shows, formatted once here by Babel: the timeline's, the measures' and the lists'.
    shown_days = set(days) | {m.effective for m in dataset.measures} | {m.ended for m in dataset.measures if m.ended}
    shown_days |= {d.listed_on for d in dataset.designations}
    files = _write_category_files(writer, dataset, days, levels, langs, narrowed, progress)
    count = sum(len(f["files"]) for by_level in files.values() for views in by_level.values() for f in views.values())
    for lang in langs:
        tr = translator(lang)
        downloads = _write_downloads(writer, dataset, days, levels, tables, tr)
        page = "methodology.html" if lang == DEFAULT else f"methodology.{lang}.html"
        source = SUMMARIES.get(lang, METHODOLOGY)
        source = source if source.exists() else METHODOLOGY
        methodology = _methodology_page(source.read_text(encoding="utf-8"), tr,
                                        "" if lang == DEFAULT else "../")
        if methodology:
            writer.write(page if lang == DEFAULT else f"{lang}/methodology.html", methodology)
        elif lang == DEFAULT:
            writer.copy(METHODOLOGY, "methodology.md")
        index = {
            "project": PROJECT_NAME,
            "lang": lang,
            "dates": [d.isoformat() for d in days],
            "longDates": {d.isoformat(): tr.long_date(d) for d in sorted(shown_days)},
            "keyDates": [[d.isoformat(), key_date_label(d, event, tr)] for d, event in KEY_DATES if d in days],
            "levels": {lv: level_words(lv, tr).title for lv in levels},
            "levelWords": {lv: level_words(lv, tr).plural for lv in levels},
            "views": {view: view_name(view, tr) for view in VIEWS},
            "files": files[lang],
            "nationalBounds": national_bounds(),
            "labels": [*city_labels(), *state_labels()],
            "places": "data/places.geojson" if places_text else None,
            #: every incorporated place, a state at a time, loaded when the state comes into view zoomed in
            "outlines": outlines,
            "placesNote": None if places_text else tr(
                "No city level: this edition was built without the Census place boundaries "
                "(python -m geodata build)."),
            "methodology": (("methodology.html" if methodology else "methodology.md") if lang == DEFAULT
                            else f"{lang}/methodology.html" if methodology else "methodology.md"),
            "downloads": downloads,
            "built": today.isoformat(),
            "strings": site_strings(tr),
        }
        title = tr("{project}: immigration-enforcement cooperation policy", project=PROJECT_NAME)
        if lang == DEFAULT:
            writer.write("data/index.json", _json(index))
            writer.write("index.html", _index_html(title, tr))
        else:
            writer.write(f"data/index.{lang}.json", _json(index))
            writer.write(f"{lang}/index.html", _index_html(title, tr, "../", f"data/index.{lang}.json"))
    return SiteSummary(out, len(days), count, levels, writer.total)


def _write_category_files(
    writer: _Writer, dataset: Dataset, days: Sequence[dt.date], levels: Sequence[str], langs: Sequence[str],
    narrowed: frozenset[str] | None, progress: Callable[[str], None],
) -> dict[str, dict[str, dict[str, dict[str, list]]]]:
    """Per language, level and view: the distinct category files, and for each date which one it uses.

    Date by date, so that every view and language of one (date, level) draws the same cached snapshot."""
    files: dict[str, dict[str, dict[str, dict[str, list]]]] = {
        lang: {level: {view: {"files": [], "steps": []} for view in VIEWS} for level in levels} for lang in langs
    }
    for level in levels:
        progress(f"{level}: {len(days)} dates, {len(VIEWS)} views, {len(langs)} languages")
        for day in days:
            for lang in langs:
                folder = "data" if lang == DEFAULT else f"data/{lang}"
                for view in VIEWS:
                    layer = build_layer(dataset, day, level, view, lang=lang)
                    payload = category_file(layer, narrowed if level == "place" else None)
                    name = writer.named_by_content(f"{folder}/{level}/{view}", _json(payload))
                    entry = files[lang][level][view]
                    if name not in entry["files"]:
                        entry["files"].append(name)
                    entry["steps"].append(entry["files"].index(name))
    return files


def _write_downloads(
    writer: _Writer, dataset: Dataset, days: Sequence[dt.date], levels: Sequence[str],
    tables: Sequence[tuple[str, Path]], tr: Translator | None = None,
) -> list[dict[str, str]]:
    """The policy tables, and the CSV (with its JSON sidecar) of every view at the state and county
    levels on the latest date. A county CSV is half a megabyte, so any other date's CSV is made in
    the browser, from the category file on screen."""
    tr = tr or translator(DEFAULT)
    found: list[dict[str, str]] = []
    for label, source in tables:
        if source.exists():
            found.append({"label": tr(label), "href": writer.copy(source, f"downloads/{source.name}"),
                          "kind": "table"})
    suffix = "" if tr.lang == DEFAULT else f"-{tr.lang}"
    for day in days[-1:]:
        for level in (lv for lv in levels if lv != "place"):
            for view in VIEWS:
                layer = build_layer(dataset, day, level, view, lang=tr.lang)
                stem = f"downloads/{level}-{view}-{day.isoformat()}{suffix}"
                name = view_name(view, tr)
                found.append({
                    "label": f"{level_words(level, tr).title}, {name[:1].lower()}{name[1:]}, {day.isoformat()}",
                    "href": writer.write(f"{stem}.csv", snapshot_csv(layer)),
                    "meta": writer.write(f"{stem}.json", metadata_json(layer)),
                    "kind": "snapshot", "date": day.isoformat(), "level": level, "view": view,
                })
    return found


def describe(summary: SiteSummary) -> str:
    return (f"{summary.out}: {summary.dates} dates, {summary.category_files} category files, levels "
            f"{', '.join(summary.levels)}, {summary.total_bytes / 1e6:.1f} MB")

