/* 挂图作战 with Leaflet (served by the app). Tiles only when MAP_TILE_URL is set; otherwise the units are
   drawn from their coordinates on the plain background, so the map works on an intranet. */
(function () {
  "use strict";
  var node = document.getElementById("battle-map-data");
  if (!node || !window.L) return;
  var data = JSON.parse(node.textContent);
  // maxZoom bounds fitBounds: without tiles Leaflet has none, and one point (or an unsized box) asks for an
  // infinite zoom, which ends as "Invalid LatLng (NaN, NaN)".
  var map = L.map("battle-map", { preferCanvas: true, attributionControl: !!data.tiles, maxZoom: 18 });
  if (data.tiles) L.tileLayer(data.tiles, { maxZoom: 18 }).addTo(map);
  function colour(share) { return share >= 0.10 ? "#c62828" : share >= 0.03 ? "#f9a825" : "#2e7d32"; }
  function open(village) { window.location.href = data.village_url.replace(/0\/$/, village + "/"); }
  var bounds = [];
  data.points.forEach(function (p) {
    bounds.push([p.lat, p.lng]);
    L.circleMarker([p.lat, p.lng], { radius: 6, color: "#333", weight: 1, fillColor: colour(p.share), fillOpacity: 0.9 })
      .bindTooltip(interpolate(gettext("%(name)s：%(households)s 户，未脱贫 %(poor)s 户"), p, true))
      .on("click", function () { open(p.village); }).addTo(map);
  });
  var siteColour = { planned: "#90caf9", building: "#42a5f5", completed: "#1e88e5", moved_in: "#0d47a1" };
  data.sites.forEach(function (s) {
    bounds.push([s.lat, s.lng]);
    L.rectangle([[s.lat - 0.003, s.lng - 0.003], [s.lat + 0.003, s.lng + 0.003]],
      { color: siteColour[s.build_state] || "#1565c0", weight: 2, fillOpacity: 0.6 })
      .bindTooltip(interpolate(gettext("安置点：%s"), [s.name])).on("click", function () { open(s.village_id); }).addTo(map);
  });
  data.projects.forEach(function (p) {
    L.circleMarker([p.lat, p.lng], { radius: 4, color: "#6a1b9a", weight: 2, fillOpacity: 1 })
      .bindTooltip(interpolate(gettext("项目：%s"), [p.name])).on("click", function () { open(p.village_id); }).addTo(map);
  });
  function frame() {
    var size = map.getSize();
    if (!bounds.length) map.setView([25.7, 101.87], 10);
    // A box not laid out yet (its style still loading) has no size to fit into: centre it, fit once it has.
    else if (size.x > 40 && size.y > 40) map.fitBounds(bounds, { padding: [20, 20] });
    else map.setView(L.latLngBounds(bounds).getCenter(), 10);
  }
  frame();
  window.addEventListener("load", function () { map.invalidateSize(); frame(); });
  window.addEventListener("beforeprint", function () { map.invalidateSize(); });
})();
