/* Sort a table[data-sortable] by a click on a th[data-sort] heading (the rows of the page shown). */
(function () {
  "use strict";
  function bind(root) {
    root.querySelectorAll("table[data-sortable] th[data-sort]").forEach(function (th) {
      if (th.dataset.bound) return;
      th.dataset.bound = "1";
      th.style.cursor = "pointer";
      th.setAttribute("aria-sort", "none");
      th.addEventListener("click", function () {
        var table = th.closest("table"), body = table.tBodies[0], i = th.cellIndex;
        var up = th.getAttribute("aria-sort") !== "ascending", numeric = th.dataset.sort === "number";
        table.querySelectorAll("th[data-sort]").forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[i].textContent.trim(), y = b.cells[i].textContent.trim();
          var c = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, "zh-Hans-CN");
          return up ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:afterSwap", function (e) { bind(e.target); });
})();
