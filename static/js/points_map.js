// Checkout: the pickup points on a Yandex map (loaded only when YANDEX_MAPS_API_KEY is set); a click on a mark
// chooses that point in the list.
(function () {
  var box = document.getElementById("points-map");
  if (!box || !window.ymaps) return;
  var points = JSON.parse(box.getAttribute("data-points-json") || "[]").filter(function (p) { return p.lat && p.lon; });
  if (!points.length) return;
  window.ymaps.ready(function () {
    var map = new window.ymaps.Map(box, { center: [points[0].lat, points[0].lon], zoom: 11 });
    points.forEach(function (point) {
      var mark = new window.ymaps.Placemark([point.lat, point.lon], { hintContent: point.name });
      mark.events.add("click", function () {
        var radio = document.querySelector('input[name="cdek_point"][value="' + point.code + '"]');
        if (radio) { radio.checked = true; radio.scrollIntoView({ block: "center" }); }
      });
      map.geoObjects.add(mark);
    });
  });
})();
