// The public map: draws the incidents of /api/v1/map/incidents over the bundled streets (or
// the configured tiles), clustered, refetched when the view moves past what the last answer
// covers. The list below the map is the page's own content; this script only adds the map, so
// nothing depends on it.
(function () {
  "use strict";
  var el = document.getElementById("pm-map");
  if (!el || !window.L || !window.PorchlightBaseMap) { return; }
  var d = el.dataset;
  var status = document.getElementById("pm-map-status");
  var lang = document.documentElement.lang || "en";
  el.hidden = false;
  // The base layer (tiles or the bundled streets) and the agency's area when the view is a
  // box: publicmap/basemap.js, as every other map of the product.
  var map = window.PorchlightBaseMap(el);
  var MAX_SPAN = 0.99; // the API takes a box at most 1 degree each way
  if (d.circle) {
    var c = d.circle.split(",").map(Number);
    var ring = L.circle([c[0], c[1]], { radius: c[2] * 1609.344, color: "#0b4f8a", fill: false, weight: 2, interactive: false }).addTo(map);
    map.fitBounds(ring.getBounds());
  } else if (!d.bounds) {
    map.setView([39.5, -98.35], 4);
  }
  var clusters = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
  map.addLayer(clusters);
  var when = new Intl.DateTimeFormat(lang, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: d.tz || undefined });

  function popup(p) {
    // Built from text nodes: nothing from the API is ever read as HTML.
    var box = document.createElement("div");
    box.className = "pm-popup";
    var title = document.createElement("strong");
    title.textContent = p.category_label;
    box.appendChild(title);
    [p.kind_label, p.block, when.format(new Date(p.occurred_at))].forEach(function (line) {
      if (!line) { return; }
      var span = document.createElement("span");
      span.textContent = line;
      box.appendChild(span);
      box.appendChild(document.createElement("br"));
    });
    return box;
  }

  var colours = {};
  function colour(category) {
    if (!colours[category]) {
      var probe = document.createElement("span");
      probe.className = "pm-dot pm-cat-" + category;
      document.body.appendChild(probe);
      colours[category] = getComputedStyle(probe).backgroundColor;
      probe.remove();
    }
    return colours[category];
  }

  // What the last answer covers: the view padded by a quarter on each side. A move that stays
  // inside it (a popup panning the map to make room for itself, a nudge of the map while
  // reading one) needs no new answer, and a new answer would redraw the markers and close the
  // popup being read. A truncated answer is reloaded on every move, as before.
  var loaded = null;
  var openId = null;
  clusters.on("popupopen", function (e) { openId = e.layer.featureId; });
  clusters.on("popupclose", function (e) { if (openId === e.layer.featureId) { openId = null; } });

  var pending = null;
  function load() {
    var v = map.getBounds();
    if (loaded && loaded.complete && loaded.bounds.contains(v)) { return; }
    var p = v.pad(0.25);
    var cx = v.getCenter();
    var south = Math.max(p.getSouth(), cx.lat - MAX_SPAN / 2), north = Math.min(p.getNorth(), cx.lat + MAX_SPAN / 2);
    var west = Math.max(p.getWest(), cx.lng - MAX_SPAN / 2), east = Math.min(p.getEast(), cx.lng + MAX_SPAN / 2);
    var params = new URLSearchParams({
      bbox: [west, south, east, north].map(function (n) { return n.toFixed(5); }).join(","),
      since: d.since, agency: d.agency, limit: "2000", lang: lang
    });
    if (d.categories) { params.set("category", d.categories); }
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(d.api + "?" + params.toString(), { signal: pending.signal })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        var reopen = openId;
        clusters.clearLayers();
        var markers = data.features.map(function (f) {
          var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
          var fill = colour(f.properties.category);
          var marker = L.circleMarker(ll, { radius: 8, color: "#1b1f24", weight: 1, fillColor: fill, fillOpacity: 0.9 })
            .bindPopup(popup(f.properties));
          marker.featureId = f.id;
          return marker;
        });
        clusters.addLayers(markers);
        loaded = { bounds: L.latLngBounds([south, west], [north, east]), complete: !data.truncated };
        // The popup being read stays open over the redrawn markers, when its incident is there.
        markers.forEach(function (m) { if (reopen !== null && m.featureId === reopen && map.hasLayer(m)) { m.openPopup(); } });
        status.textContent = data.truncated ? d.more : "";
      })
      .catch(function (e) { if (e.name !== "AbortError") { status.textContent = d.error; } });
  }
  map.on("moveend", load);
  load();
})();
