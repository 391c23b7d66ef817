// progress.js refreshes a background task's progress (#task, a polite
// live region) every few seconds while it runs, by fetching the page again
// and replacing the region's content, so that a screen reader hears the
// change and the page keeps its focus and scroll. Without the script the
// page says to reload.
(function () {
  "use strict";
  var box = document.getElementById("task");
  if (!box) { return; }
  function tick() {
    var every = parseInt(box.getAttribute("data-refresh") || "0", 10);
    if (!every) { return; }
    setTimeout(function () {
      fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var next = new DOMParser().parseFromString(html, "text/html").getElementById("task");
          if (!next) { return; }
          box.innerHTML = next.innerHTML;
          box.setAttribute("data-state", next.getAttribute("data-state") || "");
          if (next.hasAttribute("data-refresh")) {
            box.setAttribute("data-refresh", next.getAttribute("data-refresh"));
          } else {
            box.removeAttribute("data-refresh");
          }
          tick();
        })
        .catch(function () { tick(); });
    }, every * 1000);
  }
  tick();
})();
