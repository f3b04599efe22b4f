// The drop's control room refreshes its figures from data.json (a cached snapshot) every few seconds.
(function () {
  "use strict";
  var room = document.querySelector("[data-control-url]");
  if (!room) return;
  var url = room.getAttribute("data-control-url");
  var every = parseInt(room.getAttribute("data-control-every"), 10) || 5000;

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function rows(body, list) {
    if (!body) return;
    body.replaceChildren();
    list.forEach(function (values) {
      var tr = document.createElement("tr");
      values.forEach(function (value) { tr.appendChild(cell(value)); });
      body.appendChild(tr);
    });
    if (!list.length) {
      var tr = document.createElement("tr");
      var td = cell("—");
      td.colSpan = 2;
      tr.appendChild(td);
      body.appendChild(tr);
    }
  }

  function set(name, value) {
    var node = room.querySelector('[data-control="' + name + '"]');
    if (node) node.textContent = value;
  }

  function show(data) {
    set("at", data.at);
    set("waiting", data.waiting);
    set("payments.pending", data.payments.pending);
    set("payments.succeeded", data.payments.succeeded);
    rows(room.querySelector("[data-control-minutes]"), data.admitted_per_minute.map(function (row, i) {
      return [row.minute, row.count, data.orders_per_minute[i] ? data.orders_per_minute[i].count : 0];
    }));
    rows(room.querySelector("[data-control-units]"), Object.keys(data.units_left).map(function (size) {
      return [size, data.units_left[size]];
    }));
    rows(room.querySelector("[data-control-waves]"), data.waves.map(function (wave) {
      return [wave.number, wave.left + " из " + wave.capacity];
    }));
    rows(room.querySelector("[data-control-entries]"), Object.keys(data.draw_entries).map(function (size) {
      var statuses = data.draw_entries[size];
      return [size, Object.keys(statuses).map(function (s) { return s + ": " + statuses[s]; }).join(", ")];
    }));
    var paused = !!room.querySelector('[data-control="paused"]');
    if (paused !== data.paused) window.location.reload(); // the pause button's form follows the state
  }

  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) show(data); })
      .catch(function () {})
      .then(function () { window.setTimeout(refresh, every); });
  }

  window.setTimeout(refresh, every);
})();
