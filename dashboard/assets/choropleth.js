// Draws the jurisdiction layers once and restyles them in place on every time step.
// The geometry is fetched from the app's own static route (cached by the browser);
// each Streamlit rerun only sends a small payload of category codes to cm.apply().
(function (map, config) {
  "use strict";
  const cm = (window.cm = { map: map, config: config, layers: {}, ready: false, pending: null });

  // Leaflet focuses the map on mousedown. When the map is partly below the fold, the
  // page then scrolls it into view between mousedown and mouseup, and the click lands
  // tens of pixels away from where the user pressed. Focus without scrolling instead.
  if (map.keyboard) {
    map.keyboard.disable();
    map.keyboard._onMouseDown = function () {
      if (!this._focused) this._map._container.focus({ preventScroll: true });
    };
    map.keyboard.enable();
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  function categoryOf(geoid) {
    const p = cm.payload;
    if (!p) return null;
    if (geoid in p.codes) return p.codes[geoid];
    const state = geoid.slice(0, 2);
    return state in p.byState ? p.byState[state] : p.fallback;
  }
  function displayName(geoid, fallbackName) {
    return (cm.config.names && cm.config.names[geoid]) || fallbackName;
  }
  function tooltipFor(geoid, name) {
    const p = cm.payload;
    const code = categoryOf(geoid);
    let html = "<b>" + escapeHtml(displayName(geoid, name)) + "</b>";
    if (p && code !== null) html += "<br>" + escapeHtml(p.labels[code]);
    if (p && p.extra && p.extra[geoid]) html += "<br><small>" + escapeHtml(p.extra[geoid]) + "</small>";
    return html;
  }
  function styleFor(geoid, layerKind) {
    const p = cm.payload;
    const selected = p && p.selected === geoid;
    if (layerKind === "outline") {
      return { color: "#ffffff", weight: 1.2, fill: false, interactive: false };
    }
    if (layerKind === "backdrop") {
      return { color: "#ffffff", weight: 0.3, fillColor: "#f4f4f4", fillOpacity: 1 };
    }
    const code = categoryOf(geoid);
    const fill = code === null ? "#ededed" : p.colors[code];
    if (layerKind === "town") {
      // Every incorporated place: thin white edges, so thousands of small towns stay apart.
      return { color: selected ? "#000000" : "#ffffff", weight: selected ? 2.5 : 0.4, fillColor: fill, fillOpacity: 1 };
    }
    if (layerKind === "place") {
      // Cities are specks at national zoom: outline them in their own colour so they show.
      return { color: selected ? "#000000" : fill, weight: selected ? 3 : 2.5, fillColor: fill, fillOpacity: 1 };
    }
    return {
      color: selected ? "#000000" : "#ffffff",
      weight: selected ? 2.5 : layerKind === "county" ? 0.3 : 0.8,
      fillColor: fill,
      fillOpacity: 1,
    };
  }

  function addPolygons(kind, collection, key) {
    const layer = L.geoJSON(collection, {
      style: (f) => styleFor(f.id, kind),
      onEachFeature: (f, l) => {
        l.feature.id = f.id;
        if (kind !== "outline" && kind !== "backdrop") {
          l.bindTooltip(() => tooltipFor(f.id, f.properties.name), { sticky: true });
        }
      },
      interactive: kind !== "outline",
    }).addTo(map);
    layer.cmKind = kind;
    cm.layers[key || kind] = layer;
    return layer;
  }

  // Every incorporated place, one state's file at a time, once the reader has zoomed in far enough
  // to tell them apart: the national view loads only the places the tables name.
  const outlinesLoaded = {};
  // `all`: every state's, wherever the view is (make bench times a step with the whole country's places).
  function loadVisibleOutlines(all) {
    if (config.level !== "place" || !config.outlines || !cm.ready) return;
    if (all !== true && map.getZoom() < (cm.nationalZoom || 0) + 1.25) return;
    const view = map.getBounds();
    for (const [state, info] of Object.entries(config.outlines)) {
      if (outlinesLoaded[state] || (all !== true && !view.intersects(L.latLngBounds(info.bounds)))) continue;
      outlinesLoaded[state] = true;
      fetch(info.url).then((r) => r.json()).then((collection) => {
        const drawn = new Set();
        if (cm.layers.place) cm.layers.place.eachLayer((l) => drawn.add(l.feature.id));
        // The national view's places are simplified; this state's file has them whole: swap them in.
        const whole = collection.features.filter((f) => drawn.has(f.id));
        collection.features = collection.features.filter((f) => !drawn.has(f.id));
        addPolygons("town", collection, "town-" + state);
        if (whole.length) {
          const ids = new Set(whole.map((f) => f.id));
          cm.layers.place.eachLayer((l) => { if (ids.has(l.feature.id)) cm.layers.place.removeLayer(l); });
          addPolygons("place", { type: "FeatureCollection", features: whole }, "place-" + state);
        }
        if (cm.layers.outline) cm.layers.outline.bringToFront();
        for (const layer of Object.values(cm.layers)) if (layer.cmKind === "place") layer.bringToFront();
        restyle();
        document.documentElement.dataset.cmTownStates = Object.keys(cm.layers).filter((k) => k.startsWith("town-")).length;
      }).catch(() => { outlinesLoaded[state] = false; });
    }
  }
  map.on("moveend zoomend", () => loadVisibleOutlines(false));
  cm.loadAllOutlines = () => loadVisibleOutlines(true);
  cm.outlineStates = () => Object.keys(config.outlines || {}).length;

  function addPoints(points) {
    const group = L.featureGroup().addTo(map);
    points.forEach((pt) => {
      const marker = L.circleMarker([pt.lat, pt.lon], { radius: 6 });
      marker.feature = { id: pt.geoid };
      marker.bindTooltip(() => tooltipFor(pt.geoid, pt.name), { sticky: true });
      group.addLayer(marker);
    });
    cm.layers.place = group;
  }

  function restyle() {
    for (const [key, layer] of Object.entries(cm.layers)) {
      const kind = layer.cmKind || key;
      if (!["state", "county", "place", "town"].includes(kind)) continue;
      layer.eachLayer((l) => {
        const style = styleFor(l.feature.id, kind);
        // Most features keep their colour from one month to the next: skip those.
        const key = style.fillColor + style.color + style.weight;
        if (l._cmKey === key) return;
        l._cmKey = key;
        if (l.setRadius) style.radius = cm.payload && cm.payload.selected === l.feature.id ? 9 : 6;
        l.setStyle(style);
      });
    }
    // No bringToFront here: on the canvas it redraws the whole map on every step (the layers are
    // added in order, and a state's towns bring the outlines and places forward when they arrive).
    document.documentElement.dataset.cmDate = (cm.payload && cm.payload.date) || "";
  }

  // streamlit-folium reports clicks after a 250 ms debounce; report ours at once, in the
  // same shape, and record it as already sent so the debounced report is a no-op.
  map.on("click", (e) => {
    const g = window.__GLOBAL_DATA__;
    const value = { last_clicked: { lat: e.latlng.lat, lng: e.latlng.lng } };
    if (!g || !window.Streamlit || !(g.returned_objects || []).includes("last_clicked")) return;
    g.lat_lng_clicked = e.latlng;
    if (JSON.stringify(g.previous_data) !== JSON.stringify(value)) {
      g.previous_data = value;
      window.Streamlit.setComponentValue(value);
    }
    // Then highlight the clicked shape, without waiting for the app's round trip.
    const shape = e.propagatedFrom || e.layer;
    if (shape && shape.feature && cm.payload) {
      cm.payload.selected = shape.feature.id;
      requestAnimationFrame(restyle);
    }
  });

  // The map's plane is Albers USA in km, the images' own (see dashboard/publish/screen.py).
  cm.resetView = function () {
    map.fitBounds(config.nationalBounds, { animate: false, padding: [8, 8] });
  };
  const Reset = L.Control.extend({
    options: { position: "topleft" },
    onAdd: function () {
      const box = L.DomUtil.create("div", "leaflet-bar cm-reset");
      const button = L.DomUtil.create("a", "", box);
      button.href = "#";
      // Every word a reader sees comes from the Python side's catalog (mapview.map_strings).
      button.title = config.strings.home;
      button.setAttribute("role", "button");
      button.setAttribute("aria-label", config.strings.home);
      button.textContent = "⌂";
      L.DomEvent.on(button, "click", (e) => { L.DomEvent.stop(e); cm.resetView(); });
      return box;
    },
  });
  map.addControl(new Reset());

  cm.apply = function (payload) {
    cm.payload = payload;
    if (cm.ready) restyle();
  };

  Promise.all([fetch(config.atlasUrl).then((r) => r.json()), fetch(config.namesUrl).then((r) => r.json())])
    .then(async ([topology, names]) => {
      cm.config.names = names;
      const arcs = cmCore.decodeArcs(topology);
      const states = cmCore.features(topology, arcs, "states");
      if (config.level === "state") {
        addPolygons("state", states);
      } else {
        // The city level draws no county (its atlas holds the states alone): a grey country under the places.
        const base = config.level === "county" ? cmCore.features(topology, arcs, "counties") : states;
        addPolygons(config.level === "county" ? "county" : "backdrop", base);
        addPolygons("outline", states);
        if (config.level === "place") {
          if (config.placesUrl) {
            const places = await fetch(config.placesUrl).then((r) => r.json());
            addPolygons("place", places);
          } else {
            addPoints(config.pointsUrl ? await fetch(config.pointsUrl).then((r) => r.json()) : []);
          }
        }
      }
      cm.ready = true;
      // Fit the whole country, insets included, to whatever size the frame has now (the frame is
      // sized after the map is created); a later center/zoom from the app still wins.
      // The map follows its frame, which the page's CSS makes shorter on a phone (page.css).
      map.getContainer().style.setProperty("height", "100vh", "important");
      map.invalidateSize({ animate: false, pan: false });
      cm.nationalZoom = map.getBoundsZoom(config.nationalBounds, false, [8, 8]);
      if (!config.focused) cm.resetView();
      cmCore.addLabels(map, config.labels, () => cm.nationalZoom, "cm-label");
      restyle();
      loadVisibleOutlines();
      document.documentElement.dataset.cmReady = "1";
    })
    .catch((error) => {
      const box = L.control({ position: "topright" });
      box.onAdd = () => {
        const div = L.DomUtil.create("div", "cm-error");
        div.style.cssText = "background:#fff3cd;padding:6px 8px;border:1px solid #c9a227;font:13px sans-serif";
        div.textContent = config.strings.shapesFailed + " " + error;
        return div;
      };
      box.addTo(map);
    });
})(__MAP__, __CONFIG__);
