// What the live map (choropleth.js) and the static edition (site.js) draw alike, written once:
// TopoJSON decoding and the place labels. Both load it first; it defines window.cmCore.
(function () {
  "use strict";

  // TopoJSON -> GeoJSON, for the quantized, delta-encoded topology of dashboard/publish/screen.py.
  // (No registry package ships topojson-client for a Python install; the format is small.)
  function decodeArcs(topology) {
    const [sx, sy] = topology.transform.scale;
    const [tx, ty] = topology.transform.translate;
    return topology.arcs.map((arc) => {
      let x = 0, y = 0;
      return arc.map(([dx, dy]) => { x += dx; y += dy; return [x * sx + tx, y * sy + ty]; });
    });
  }
  function ring(arcs, indices) {
    const points = [];
    indices.forEach((index, k) => {
      let arc = index < 0 ? arcs[~index].slice().reverse() : arcs[index];
      if (k > 0) arc = arc.slice(1);
      for (const p of arc) points.push(p);
    });
    return points;
  }
  function features(topology, arcs, name) {
    return {
      type: "FeatureCollection",
      features: topology.objects[name].geometries.map((g) => ({
        type: "Feature",
        id: g.id,
        properties: { name: (g.properties || {}).name || g.id },
        geometry: g.type === "Polygon"
          ? { type: "Polygon", coordinates: g.arcs.map((r) => ring(arcs, r)) }
          : { type: "MultiPolygon", coordinates: g.arcs.map((p) => p.map((r) => ring(arcs, r))) },
      })),
    };
  }

  // State postal codes from the national view on, the largest cities as one zooms in. Labels come
  // largest first; one that would overlap a label already placed is left out. Text goes in as text.
  function addLabels(map, labels, nationalZoom, className) {
    const group = L.layerGroup().addTo(map);
    const items = (labels || []).map((label) => {
      const span = document.createElement("span");
      span.textContent = String(label.text);
      const marker = L.marker([label.lat, label.lng], {
        interactive: false, keyboard: false,
        icon: L.divIcon({ className: className + " " + className + "-" + label.kind, html: span, iconSize: null }),
      });
      return { label: label, marker: marker };
    });
    function showForZoom() {
      const relative = map.getZoom() - (nationalZoom() || 0);
      const placed = [];
      for (const item of items) {
        let wanted = relative >= item.label.minZoom - 0.01;
        if (wanted) {
          const p = map.latLngToContainerPoint([item.label.lat, item.label.lng]);
          const w = item.label.text.length * (item.label.kind === "city" ? 7 : 6) / 2 + 4, h = 8;
          const box = [p.x - w, p.y - h, p.x + w, p.y + h];
          wanted = !placed.some((b) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]);
          if (wanted) placed.push(box);
        }
        if (wanted && !group.hasLayer(item.marker)) group.addLayer(item.marker);
        if (!wanted && group.hasLayer(item.marker)) group.removeLayer(item.marker);
      }
    }
    map.on("zoomend moveend", showForZoom);
    showForZoom();
  }

  window.cmCore = { decodeArcs: decodeArcs, features: features, addLabels: addLabels };
})();
