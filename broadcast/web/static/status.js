// Trạng thái: refresh the live part of the page every few seconds.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) { return; }
  var url = live.getAttribute("data-refresh");
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && typeof data.html === "string") { live.innerHTML = data.html; } })
      .catch(function () { /* the next tick tries again */ });
  }
  setInterval(refresh, 5000);
})();
