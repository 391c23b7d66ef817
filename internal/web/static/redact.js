// Redact selection: on a records request's item page, measures the text a
// person selected in a version's stored text as UTF-8 byte offsets of that
// text, fills the form's hidden fields and submits it. The server checks
// the offsets and that they hold the selected text. Without this script the
// form redacts the words typed in it.
"use strict";
(function () {
  var enc = new TextEncoder();
  function bytes(s) { return enc.encode(s).length; }
  document.querySelectorAll("form.redact-form").forEach(function (form) {
    var text = document.getElementById(form.dataset.text);
    var button = form.querySelector("button.redact-selection");
    var status = form.querySelector(".selection-status");
    if (!text || !button) { return; }
    button.hidden = false;
    function selection() {
      var sel = window.getSelection();
      if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return null; }
      var range = sel.getRangeAt(0);
      if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) { return null; }
      var before = document.createRange();
      before.selectNodeContents(text);
      before.setEnd(range.startContainer, range.startOffset);
      var head = before.toString();
      var chosen = range.toString();
      return { start: bytes(head), end: bytes(head) + bytes(chosen), text: chosen };
    }
    button.addEventListener("click", function () {
      var s = selection();
      if (!s) {
        status.hidden = false;
        status.textContent = "Select words in this version's stored text first.";
        return;
      }
      form.elements.start.value = String(s.start);
      form.elements.end.value = String(s.end);
      form.elements.selected.value = s.text;
      form.submit();
    });
  });
})();
