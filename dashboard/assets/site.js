// The static edition's page: draws the projected TopoJSON once per level and restyles it in place
// from precomputed category files (see dashboard/publish/site.py). Every text from the data goes in
// as text (textContent), never as HTML; every request goes to this site's own host. Every word a
// reader sees comes from the index's `strings` and every date from its `longDates`, both made in
// Python from the catalog and Babel (site.py), so this file holds no English of its own.
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  // A language's page sits in its own folder (es/index.html); the data is shared at the site's root.
  const root = document.body.dataset.root || "";
  const indexUrl = document.body.dataset.index || "data/index.json";
  let S = {};
  function fill(template, fields) {
    return template.replace(/\{(\w+)\}/g, (whole, name) => (name in fields ? String(fields[name]) : whole));
  }
  const site = { index: null, topology: null, arcs: null, names: {}, measures: null, places: null,
                 files: new Map(), layers: {}, payload: null, selected: null, playing: null,
                 // every incorporated place, a state's file at a time: name and county by GEOID
                 towns: {}, townCounty: {}, outlineFiles: new Map(), nationalZoom: null };
  window.site = site;

  function getJSON(url) {
    return fetch(root + url).then((r) => {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }
  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }
  function safeHref(url) {
    return /^https?:\/\//i.test(url || "") ? url : null;
  }
  function longDate(iso) {
    return (site.index && site.index.longDates[iso]) || iso;
  }

  function features(name) {
    return cmCore.features(site.topology, site.arcs, name);
  }

  // --- State of the page, kept in the address bar's fragment (a permalink) ---------------------------
  const state = { level: "state", view: "effective", date: null };
  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.get("level") in site.index.files) state.level = params.get("level");
    if (params.get("view") in site.index.views) state.view = params.get("view");
    const date = params.get("date");
    state.date = site.index.dates.includes(date) ? date : site.index.dates[site.index.dates.length - 1];
    site.selected = /^[0-9]{2,7}$/.test(params.get("j") || "") ? params.get("j") : null;
  }
  function writeHash() {
    const params = new URLSearchParams({ date: state.date, level: state.level, view: state.view });
    if (site.selected) params.set("j", site.selected);
    history.replaceState(null, "", "#" + params.toString());
    // The language links lead to the same view in the other language.
    for (const a of document.querySelectorAll("a.lang-link")) a.hash = params.toString();
  }

  // --- Categories -----------------------------------------------------------------------------------
  function categoryOf(geoid) {
    const p = site.payload;
    if (!p) return null;
    if (geoid in p.codes) return p.codes[geoid];
    const st = geoid.slice(0, 2);
    return st in p.byState ? p.byState[st] : p.fallback;
  }
  function nameOf(geoid, fallback) {
    return site.names[geoid] || site.towns[geoid] || fallback || geoid;
  }
  function styleFor(geoid, kind) {
    if (kind === "outline") return { color: "#ffffff", weight: 1.2, fill: false, interactive: false };
    if (kind === "backdrop") return { color: "#ffffff", weight: 0.3, fillColor: "#f4f4f4", fillOpacity: 1 };
    const code = categoryOf(geoid);
    const fill = code === null ? "#ededed" : site.payload.colors[code];
    const selected = site.selected === geoid;
    if (kind === "place") {
      return { color: selected ? "#000000" : fill, weight: selected ? 3 : 2.5, fillColor: fill, fillOpacity: 1 };
    }
    if (kind === "town") {
      // Every incorporated place, as the app draws them: thin white edges keep thousands of towns apart.
      return { color: selected ? "#000000" : "#ffffff", weight: selected ? 2.5 : 0.4, fillColor: fill, fillOpacity: 1 };
    }
    return { color: selected ? "#000000" : "#ffffff", weight: selected ? 2.5 : kind === "county" ? 0.3 : 0.8,
             fillColor: fill, fillOpacity: 1 };
  }
  function tooltipFor(geoid, name) {
    const box = el("div");
    box.appendChild(el("b", nameOf(geoid, name)));
    const code = categoryOf(geoid);
    if (code !== null) { box.appendChild(el("br")); box.appendChild(el("span", site.payload.labels[code])); }
    const extra = site.payload && site.payload.extra && site.payload.extra[geoid];
    if (extra) { box.appendChild(el("br")); box.appendChild(el("small", extra)); }
    return box;
  }

  // --- The map --------------------------------------------------------------------------------------
  const map = L.map("map", { crs: L.CRS.Simple, minZoom: -4, maxZoom: 7, zoomSnap: 0.25, zoomDelta: 0.5,
                             preferCanvas: true, attributionControl: false });
  site.map = map;

  function addPolygons(kind, collection, key) {
    const layer = L.geoJSON(collection, {
      style: (f) => styleFor(f.id, kind),
      onEachFeature: (f, l) => {
        if (kind === "outline" || kind === "backdrop") return;
        l.bindTooltip(() => tooltipFor(f.id, f.properties.name), { sticky: true });
        l.on("click", () => select(f.id));
      },
      interactive: kind !== "outline" && kind !== "backdrop",
    }).addTo(map);
    layer.kind = kind;
    site.layers[key || kind] = layer;
    return layer;
  }

  // Every incorporated place, one state's file at a time, once the reader has zoomed in far enough to
  // tell them apart and the state is in view: the national view loads only the places the tables name.
  function outlineFile(st) {
    const info = site.index.outlines && site.index.outlines[st];
    if (!info) return Promise.resolve(null);
    if (!site.outlineFiles.has(st)) {
      site.outlineFiles.set(st, getJSON(info.url).then((collection) => {
        for (const f of collection.features) {
          site.towns[f.id] = f.properties.name;
          if (f.properties.c) site.townCounty[f.id] = f.properties.c;
        }
        return collection;
      }).catch((error) => { site.outlineFiles.delete(st); throw error; }));
    }
    return site.outlineFiles.get(st);
  }
  // `all`: every state's, wherever the view is (make bench times a step with the whole country's places).
  function loadVisibleOutlines(all) {
    if (drawnLevel !== "place" || !site.index.outlines || site.nationalZoom === null) return;
    if (all !== true && map.getZoom() < site.nationalZoom + 1.25) return;
    const view = map.getBounds();
    for (const [st, info] of Object.entries(site.index.outlines)) {
      if (site.layers["town-" + st] || (all !== true && !view.intersects(L.latLngBounds(info.bounds)))) continue;
      site.layers["town-" + st] = L.layerGroup();  // taken: a second moveend does not load it twice
      outlineFile(st).then((collection) => {
        if (drawnLevel !== "place" || !collection) return;
        const drawn = new Set(site.places ? site.places.features.map((f) => f.id) : []);
        const towns = { type: "FeatureCollection", features: collection.features.filter((f) => !drawn.has(f.id)) };
        map.removeLayer(site.layers["town-" + st]);
        addPolygons("town", towns, "town-" + st);
        // The national view's places are simplified; this state's file has them whole: swap them in.
        const whole = collection.features.filter((f) => drawn.has(f.id));
        if (whole.length && site.layers.place) {
          const ids = new Set(whole.map((f) => f.id));
          site.layers.place.eachLayer((l) => { if (ids.has(l.feature.id)) site.layers.place.removeLayer(l); });
          addPolygons("place", { type: "FeatureCollection", features: whole }, "place-" + st);
        }
        if (site.layers.outline) site.layers.outline.bringToFront();
        for (const layer of Object.values(site.layers)) if (layer.kind === "place") layer.bringToFront();
        restyle();
        document.documentElement.dataset.siteTownStates =
          String(Object.values(site.layers).filter((l) => l.kind === "town").length);
      }).catch(() => { delete site.layers["town-" + st]; });
    }
  }
  map.on("moveend zoomend", () => loadVisibleOutlines(false));
  site.loadAllOutlines = () => loadVisibleOutlines(true);

  let drawnLevel = null;
  async function drawLevel(level) {
    if (drawnLevel === level) return;
    for (const layer of Object.values(site.layers)) map.removeLayer(layer);
    site.layers = {};
    if (level === "state") {
      addPolygons("state", features("states"));
    } else {
      // The city level draws no county, as in the app: a grey country under the places.
      addPolygons(level === "county" ? "county" : "backdrop", features(level === "county" ? "counties" : "states"));
      addPolygons("outline", features("states"));
      if (level === "place") {
        site.places = site.places || await getJSON(site.index.places);
        addPolygons("place", site.places);
      }
    }
    drawnLevel = level;
    loadVisibleOutlines();
  }
  function restyle() {
    for (const layer of Object.values(site.layers)) {
      if (!["state", "county", "place", "town"].includes(layer.kind)) continue;
      layer.eachLayer((l) => {
        const style = styleFor(l.feature.id, layer.kind);
        // Most shapes keep their colour from one month to the next: skip those.
        const key = style.fillColor + style.color + style.weight;
        if (l._siteKey === key) return;
        l._siteKey = key;
        l.setStyle(style);
      });
    }
    // No bringToFront here: on the canvas it redraws the whole map on every step. The layers are
    // added in order; a state's towns bring the outlines and places forward when they arrive.
  }

  function resetView() {
    map.fitBounds(site.index.nationalBounds, { animate: false, padding: [8, 8] });
  }
  const Reset = L.Control.extend({
    options: { position: "topleft" },
    onAdd: function () {
      const box = L.DomUtil.create("div", "leaflet-bar site-reset");
      const button = L.DomUtil.create("a", "", box);
      button.href = "#";
      button.title = S.home;
      button.setAttribute("role", "button");
      button.setAttribute("aria-label", S.home);
      button.textContent = "⌂";
      L.DomEvent.on(button, "click", (e) => { L.DomEvent.stop(e); resetView(); });
      return box;
    },
  });

  // --- Legend, "as of", notices ---------------------------------------------------------------------
  function renderLegend() {
    const p = site.payload;
    const legend = $("legend");
    legend.replaceChildren();
    legend.appendChild(el("h2", p.heading));
    legend.appendChild(el("p", fill(S.unit, { plural: site.index.levelWords[state.level], period: longDate(state.date) }),
                          "unit"));
    const list = el("ul", null, "legend-rows");
    p.labels.forEach((label, i) => {
      const row = el("li");
      const swatch = el("span", null, "swatch");
      swatch.style.background = p.colors[i];
      row.appendChild(swatch);
      row.appendChild(el("span", label, "legend-label"));
      row.appendChild(el("span", p.countsComplete ? p.countsText[i] : "–", "count"));
      row.dataset.key = p.keys[i];
      list.appendChild(row);
    });
    legend.appendChild(list);
    if (!p.countsComplete) legend.appendChild(el("p", S.countsIncomplete, "note"));
    $("as-of").textContent = fill(S.sources, { sources: p.asOf });
    const notices = $("notices");
    notices.replaceChildren(...p.notices.map((n) => el("li", n)));
    $("title").textContent = p.title;
    document.title = p.title + " · " + site.index.project;
  }

  // --- Details of the selected jurisdiction ---------------------------------------------------------
  function inForce(item, date) {
    return item.e <= date && (!item.x || date < item.x);
  }
  function measuresOf(geoid, date) {
    return Object.entries(site.measures.measures).filter(([, m]) => m.g === geoid && inForce(m, date));
  }
  function parentsOf(geoid) {
    if (geoid.length === 2) return [];
    const parents = [geoid.slice(0, 2)];
    const county = geoid.length === 7 && (site.measures.placeCounty[geoid] || site.townCounty[geoid]);
    if (county) parents.push(county);
    return parents;
  }
  function measureItem(id, m, from) {
    const li = el("li", null, "measure measure-" + m.d);
    li.appendChild(el("span", m.d === "limits" ? S.limits : S.requires, "direction"));
    li.appendChild(document.createTextNode(" "));
    const title = li.appendChild(el("span", m.t, "measure-title"));
    title.setAttribute("data-text", "");  // data text: the title as its source writes it
    const when = fill(S.inForceFrom, { day: longDate(m.e) }) + (m.x ? ", " + fill(S.until, { day: longDate(m.x) }) : "");
    li.appendChild(el("span", " · " + (from ? from + " · " : "") + when, "measure-dates"));
    const href = safeHref(m.u);
    if (href) {
      li.appendChild(document.createTextNode(" "));
      const a = el("a", S.source, "source");
      a.href = href;
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      li.appendChild(a);
    }
    li.dataset.measure = id;
    return li;
  }
  function renderDetails() {
    const box = $("details");
    box.replaceChildren();
    const geoid = site.selected;
    if (!geoid || !site.measures) {
      box.appendChild(el("p", S.hint, "hint"));
      return;
    }
    const date = state.date;
    box.appendChild(el("h2", nameOf(geoid)));
    if (S.dataText) box.appendChild(el("p", S.dataText, "note"));
    const code = categoryOf(geoid);
    if (code !== null) box.appendChild(el("p", longDate(date) + ": " + site.payload.labels[code], "status"));
    const own = measuresOf(geoid, date);
    box.appendChild(el("h3", S.ownInForce));
    if (own.length) {
      box.appendChild(el("ul", null, "measures")).append(...own.map(([id, m]) => measureItem(id, m)));
    } else {
      box.appendChild(el("p", S.noneRecorded, "none"));
    }
    const inherited = parentsOf(geoid).flatMap((parent) =>
      measuresOf(parent, date).filter(([, m]) => m.b).map(([id, m]) => measureItem(id, m, fill(S.from, { name: nameOf(parent) }))));
    if (inherited.length) {
      box.appendChild(el("h3", geoid.length === 7 ? S.inheritedStateOrCounty : S.inheritedState));
      box.appendChild(el("ul", null, "measures")).append(...inherited);
    }
    const lists = site.measures.lists.filter((d) => d.g === geoid && inForce(d, date));
    if (lists.length) {
      box.appendChild(el("h3", S.onLists));
      const ul = box.appendChild(el("ul", null, "measures"));
      for (const d of lists) {
        const li = el("li", fill(S.listOf, { list: d.l.startsWith("dhs") ? S.dhsList : S.dojList, day: longDate(d.e) })
                      + " ");
        const href = safeHref(d.u);
        if (href) {
          const a = el("a", S.source, "source");
          a.href = href;
          a.rel = "noopener noreferrer";
          a.target = "_blank";
          li.appendChild(a);
        }
        ul.appendChild(li);
      }
    }
  }
  function select(geoid) {
    site.selected = geoid;
    restyle();
    renderDetails();
    writeHash();
    knowTown(geoid);
  }
  // A place the tables do not name (a permalink to it, before its state's file is loaded): its name
  // and county come with its state's outlines.
  function knowTown(geoid) {
    if (!geoid || geoid.length !== 7 || site.names[geoid] || site.towns[geoid]) return;
    outlineFile(geoid.slice(0, 2)).then(() => { if (site.selected === geoid) renderDetails(); }).catch(() => {});
  }

  // --- Time -----------------------------------------------------------------------------------------
  function load(date, level, view) {
    const files = site.index.files[level][view];
    const url = files.files[files.steps[site.index.dates.indexOf(date)]];
    if (!site.files.has(url)) {
      site.files.set(url, getJSON(url).catch((error) => { site.files.delete(url); throw error; }));
    }
    return site.files.get(url);
  }
  let showing = 0;
  async function show() {
    const ticket = ++showing;
    const { date, level, view } = state;
    const [payload] = await Promise.all([load(date, level, view), drawLevel(level)]);
    if (ticket !== showing) return;  // a later step has been asked for meanwhile
    site.payload = payload;
    restyle();
    renderLegend();
    renderDetails();
    $("date-label").textContent = longDate(date);
    $("slider").value = String(site.index.dates.indexOf(date));
    $("level").value = level;
    $("view").value = view;
    writeHash();
    document.documentElement.dataset.siteDate = date;
    document.documentElement.dataset.siteView = level + "/" + view;
    // Fetch the next step ahead, so that play never waits on the network.
    const next = site.index.dates[site.index.dates.indexOf(date) + 1];
    if (next) load(next, level, view).catch(() => {});
  }
  function step() {
    const i = site.index.dates.indexOf(state.date);
    if (i + 1 >= site.index.dates.length) { stopPlay(); return; }
    state.date = site.index.dates[i + 1];
    show();
  }
  function stopPlay() {
    clearInterval(site.playing);
    site.playing = null;
    $("play").textContent = S.play;
    $("play").setAttribute("aria-pressed", "false");
  }
  function togglePlay() {
    if (site.playing) { stopPlay(); return; }
    if (state.date === site.index.dates[site.index.dates.length - 1]) state.date = site.index.dates[0];
    site.playing = setInterval(step, 700);
    $("play").textContent = S.pause;
    $("play").setAttribute("aria-pressed", "true");
    show();
  }

  // --- Downloads ------------------------------------------------------------------------------------
  function renderDownloads() {
    const list = $("downloads");
    for (const item of site.index.downloads) {
      const li = el("li");
      const a = el("a", item.label);
      a.href = root + item.href;
      a.setAttribute("download", "");
      li.appendChild(a);
      if (item.meta) {
        li.appendChild(document.createTextNode(" ("));
        const m = el("a", S.whatItIs);
        m.href = root + item.meta;
        li.appendChild(m);
        li.appendChild(document.createTextNode(")"));
      }
      list.appendChild(li);
    }
  }
  function csvCell(value) {
    let text = String(value);
    // A cell a spreadsheet would run as a formula is neutralised, as in the app's downloads.
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }
  function downloadCsv() {
    const p = site.payload;
    const ids = Object.keys(site.names).filter((g) =>
      state.level === "state" ? g.length === 2 : state.level === "county" ? g.length === 5 : g.length === 7);
    const rows = [["geoid", "name", "level", "date", "view", "category", "category_label"]];
    for (const g of ids.sort()) {
      const code = categoryOf(g);
      rows.push([g, nameOf(g), state.level, state.date, state.view, p.keys[code], p.labels[code]]);
    }
    const text = rows.map((r) => r.map(csvCell).join(",")).join("\n") + "\n";
    const a = el("a");
    a.href = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
    a.download = state.level + "-" + state.view + "-" + state.date + ".csv";
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  // --- Start ----------------------------------------------------------------------------------------
  function fillSelect(select, entries) {
    select.replaceChildren(...entries.map(([value, label]) => {
      const option = el("option", label);
      option.value = value;
      return option;
    }));
  }
  Promise.all([getJSON(indexUrl), getJSON("data/atlas.json"), getJSON("data/names.json")])
    .then(async ([index, topology, names]) => {
      site.index = index;
      S = index.strings;
      site.topology = topology;
      site.arcs = cmCore.decodeArcs(topology);
      site.names = names;
      readHash();
      fillSelect($("level"), Object.entries(index.levels));
      fillSelect($("view"), Object.entries(index.views));
      const keys = $("key-dates");
      for (const [date, label] of index.keyDates) {
        const option = el("option", label);
        option.value = date;
        keys.appendChild(option);
      }
      $("slider").max = String(index.dates.length - 1);
      $("slider").addEventListener("input", (e) => { state.date = index.dates[Number(e.target.value)]; show(); });
      $("level").addEventListener("change", (e) => { state.level = e.target.value; show(); });
      $("view").addEventListener("change", (e) => { state.view = e.target.value; show(); });
      keys.addEventListener("change", (e) => { if (e.target.value) { state.date = e.target.value; show(); } e.target.value = ""; });
      $("play").addEventListener("click", togglePlay);
      $("csv-now").addEventListener("click", downloadCsv);
      $("methodology-link").href = root + index.methodology;
      renderDownloads();
      if (index.placesNote) $("levels-note").textContent = index.placesNote;
      map.addControl(new Reset());
      await show();
      site.nationalZoom = map.getBoundsZoom(index.nationalBounds, false, [8, 8]);
      resetView();
      cmCore.addLabels(map, site.index.labels, () => site.nationalZoom, "site-label");
      document.documentElement.dataset.siteReady = "1";
      loadVisibleOutlines();
      knowTown(site.selected);
      getJSON("data/measures.json").then((m) => { site.measures = m; renderDetails(); });
    })
    .catch((error) => {
      // Without the index there are no strings: the page's shell carries this one.
      const box = el("p", (S.loadFailed || document.body.dataset.loadFailed) + " " + error, "error");
      $("map").replaceChildren(box);
    });
})();
