// The case page's suggested articles: "Insert link" / "Insert text" put an article's address or
// words into the reply being written. A composer that wants the text itself listens for the
// cancellable "case-composer-insert" event on the document (detail: { text }) and cancels it;
// otherwise the text goes into the case composer's message box at the cursor, and on a page
// without one to the clipboard. One listener on the document, so panels loaded later work too.
(function () {
  "use strict";

  function insertInto(box, text) {
    var start = box.selectionStart || 0;
    var end = box.selectionEnd || 0;
    var before = box.value.slice(0, start);
    var spacer = before && !/\s$/.test(before) ? "\n\n" : "";
    box.value = before + spacer + text + box.value.slice(end);
    var caret = (before + spacer + text).length;
    box.focus();
    box.setSelectionRange(caret, caret);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-knowledge-insert]") : null;
    if (!button) { return; }
    var text = button.dataset.knowledgeInsert || "";
    if (button.dataset.absolute === "true") { text = new URL(text, window.location.origin).href; }
    var taken = !document.dispatchEvent(
      new CustomEvent("case-composer-insert", { detail: { text: text }, cancelable: true })
    );
    if (taken) { return; }
    var box = document.querySelector("[data-testid=composer] textarea[name=body]");
    if (box) {
      insertInto(box, text);
    } else if (navigator.clipboard) {
      navigator.clipboard.writeText(text);
    }
  });
})();
