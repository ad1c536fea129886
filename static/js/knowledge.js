// The case page's suggested articles: "Insert link" / "Insert text" put an article's address or
// words into the reply being written. The reply composer listens for "case-composer-insert" on the
// document (detail: { text }) and cancels it when it took the text; otherwise the text goes to the
// clipboard. One listener on the document, so panels loaded later by htmx work too.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-knowledge-insert]") : null;
    if (!button) { return; }
    var text = button.dataset.knowledgeInsert || "";
    if (button.dataset.absolute === "true") { text = new URL(text, window.location.origin).href; }
    var taken = !document.dispatchEvent(
      new CustomEvent("case-composer-insert", { detail: { text: text }, cancelable: true })
    );
    if (!taken && navigator.clipboard) { navigator.clipboard.writeText(text); }
  });
})();
