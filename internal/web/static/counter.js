// Character counter: while someone types a draft or a correction, says for
// each network the post goes to how many characters it has of the
// network's limit, counted as the server counts them (Unicode code points,
// the link added on its own line when the text does not hold it, and a
// correction's words). The server's check stays the rule: without this
// script the form still works and the draft page shows the counts after
// saving. The count is a polite live region, updated once typing pauses.
"use strict";
(function () {
  document.querySelectorAll("[data-counter-for]").forEach(function (out) {
    var text = document.getElementById(out.dataset.counterFor);
    if (!text) { return; }
    var form = text.form;
    var link = out.dataset.link ? document.getElementById(out.dataset.link) : null;
    var extra = parseInt(out.dataset.extra || "0", 10) || 0;
    var limits = {};
    var names = {};
    (out.dataset.limits || "").split(" ").forEach(function (triple) {
      var kv = triple.split(":");
      if (kv.length >= 2) { limits[kv[0]] = parseInt(kv[1], 10); }
      names[kv[0]] = kv.length >= 3 ? kv[2] : kv[0];
    });
    function platforms() {
      var fixed = (out.dataset.platforms || "").split(" ").filter(Boolean);
      if (fixed.length > 0 || !form) { return fixed; }
      var chosen = [];
      form.querySelectorAll("input[data-platform]:checked").forEach(function (box) {
        if (chosen.indexOf(box.dataset.platform) < 0) { chosen.push(box.dataset.platform); }
      });
      return chosen;
    }
    function length() {
      var t = text.value.trim();
      var n = Array.from(t).length + extra;
      var l = link ? link.value.trim() : "";
      if (l !== "" && t.indexOf(l) < 0) { n += 1 + Array.from(l).length; }
      return n;
    }
    var timer = null;
    function update() {
      var n = length();
      var parts = [];
      var over = false;
      platforms().forEach(function (p) {
        var max = limits[p];
        if (!max) { return; }
        if (n > max) {
          over = true;
          parts.push(names[p] + ": " + n + " of " + max + " characters, " + (n - max) + " over the limit");
        } else {
          parts.push(names[p] + ": " + n + " of " + max + " characters");
        }
      });
      out.textContent = parts.length > 0 ? parts.join("; ") + "." : n + " characters.";
      out.classList.toggle("over", over);
    }
    function later() {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(update, 400);
    }
    text.addEventListener("input", later);
    if (link) { link.addEventListener("input", later); }
    if (form) { form.addEventListener("change", later); }
    update();
  });
})();
