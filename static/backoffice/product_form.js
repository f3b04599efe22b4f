// The product form: sizes and the size table are edited cell by cell, and only the sections the chosen order
// type uses are shown. Everything works without this file (spare inputs, every section visible).
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function sizeList(box) {
    var list = box.querySelector(".dwc-size-list__items");
    var add = box.querySelector("[data-size-add]");
    add.hidden = false;
    add.addEventListener("click", function () {
      var item = document.createElement("li");
      var input = document.createElement("input");
      input.type = "text";
      input.name = box.getAttribute("data-name");
      input.maxLength = 32;
      input.className = "dwc-size-list__input";
      input.setAttribute("aria-label", "Размер " + (list.children.length + 1));
      item.appendChild(input);
      list.appendChild(item);
      input.focus();
    });
  }

  function sizeTable(box) {
    var name = box.getAttribute("data-name");
    var table = box.querySelector("table");
    function cell(row, col) {
      var td = document.createElement(row === 0 ? "th" : "td");
      var input = document.createElement("input");
      input.type = "text";
      input.maxLength = 40;
      input.name = name + "__r" + row + "c" + col;
      input.setAttribute("aria-label", (row === 0 ? "Заголовок" : "Строка " + row) + ", столбец " + (col + 1));
      if (row === 0) input.className = "dwc-size-table__head";
      td.appendChild(input);
      return td;
    }
    var addRow = box.querySelector("[data-size-table-row]");
    var addCol = box.querySelector("[data-size-table-col]");
    addRow.hidden = addCol.hidden = false;
    addRow.addEventListener("click", function () {
      var rows = table.rows.length;
      var cols = rows ? table.rows[0].cells.length : 1;
      var tr = table.insertRow(-1);
      for (var c = 0; c < cols; c++) tr.appendChild(cell(rows, c));
      tr.cells[0].firstChild.focus();
    });
    addCol.addEventListener("click", function () {
      // table.rows runs over the header row (thead) and then the data rows (tbody), in order.
      for (var r = 0; r < table.rows.length; r++) {
        table.rows[r].appendChild(cell(r, table.rows[r].cells.length));
      }
    });
  }

  // Sections by order type: stock for in-stock products, waves for preorders.
  function byOrderType() {
    var select = document.getElementById("id_order_type");
    if (!select) return;
    function apply() {
      var type = select.value;
      var preorder = type === "preorder" || type === "waiting";
      document.querySelectorAll(".dwc-preorder-only").forEach(function (el) {
        el.hidden = !preorder;
      });
      ["stock-group"].forEach(function (id) {
        var el = document.getElementById(id);
        if (el) el.hidden = preorder;
      });
      ["waves-group"].forEach(function (id) {
        var el = document.getElementById(id);
        if (el) el.hidden = !preorder;
      });
    }
    select.addEventListener("change", apply);
    apply();
  }

  ready(function () {
    document.querySelectorAll("[data-size-list]").forEach(sizeList);
    document.querySelectorAll("[data-size-table]").forEach(sizeTable);
    byOrderType();
  });
})();
