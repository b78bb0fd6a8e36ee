// Sort a table.sortable by clicking a header (th[data-sort]); filter its rows with
// input#table-filter[data-table=ID]. Plain JavaScript, no build step.
(function () {
  "use strict";
  function cellText(row, index) {
    var cell = row.cells[index];
    return cell ? cell.textContent.trim().toLocaleLowerCase("vi") : "";
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th[data-sort]").forEach(function (header) {
      header.tabIndex = 0;
      header.title = "Bấm để sắp xếp";
      function sort() {
        var index = header.cellIndex;
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("th[aria-sort]").forEach(function (other) {
          other.removeAttribute("aria-sort");
        });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var order = cellText(a, index).localeCompare(cellText(b, index), "vi", { numeric: true });
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      header.addEventListener("click", sort);
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
  });
  document.querySelectorAll("input#table-filter").forEach(function (input) {
    var table = document.getElementById(input.dataset.table);
    if (!table) { return; }
    input.addEventListener("input", function () {
      var wanted = input.value.trim().toLocaleLowerCase("vi");
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        row.hidden = wanted !== "" && row.textContent.toLocaleLowerCase("vi").indexOf(wanted) < 0;
      });
    });
  });
})();
