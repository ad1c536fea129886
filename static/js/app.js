// Behaviour every page shares, declared in the markup with data- attributes so no page needs an
// inline script or handler (the Content-Security-Policy forbids both). Listeners sit on the
// document, so fragments htmx swaps in later work too.
//
//   <form data-confirm="Delete it?">           asks before submitting
//   <button data-confirm="Delete them?">       asks before its click goes on
//   <select data-autosubmit>                   submits its form when changed;
//                                              data-autosubmit-clear="period" empties that field first
//   <button data-copy="#element-id">           copies the element's value (or text) to the clipboard
//                                              and shows data-copied-label in its [data-copy-label]
//   <input data-select-on-focus>               selects its text when focused
//   <div class="toast" data-autoshow>          shows itself when htmx brings it in (notification toasts)
//   <form hx-post data-swap-errors>            htmx swaps its 422 answer too (a form with its
//                                              errors in place, e.g. an inline field editor)
(function () {
  "use strict";

  // Server data for a page's components: the value of the <script type="application/json"> element
  // ``id`` (Django's json_script), or ``fallback`` when the page has none. The Alpine components
  // (components.js and the page-sized files) call it from their alpine:init listeners, which run
  // after this deferred script.
  window.relataReadJSON = function (id, fallback) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : fallback;
  };

  // Marks the page once Alpine has set up its components: input before that is overwritten by the
  // components' initial state, so tests (and anything else driving the page) wait for the mark.
  document.addEventListener("alpine:initialized", function () {
    document.documentElement.dataset.components = "ready";
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm !== undefined && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("button[data-confirm], a[data-confirm]") : null;
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var control = event.target;
    if (!(control instanceof Element) || control.dataset.autosubmit === undefined || !control.form) return;
    var clear = control.dataset.autosubmitClear;
    if (clear && control.form.elements[clear]) control.form.elements[clear].value = "";
    control.form.requestSubmit();
  });

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    var source = document.querySelector(button.dataset.copy);
    if (!source) return;
    var text = "value" in source ? source.value : source.textContent;
    if (navigator.clipboard) navigator.clipboard.writeText(text).catch(function () {});
    var label = button.querySelector("[data-copy-label]") || button;
    if (button.dataset.copiedLabel) label.textContent = button.dataset.copiedLabel;
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (event.detail.xhr.status === 422 && source instanceof Element && source.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("keydown", function (event) {
    var editor = event.key === "Escape" && event.target instanceof Element ? event.target.closest(".inline-editor") : null;
    var cancel = editor ? editor.querySelector("[data-testid=inline-cancel]") : null;
    if (cancel) cancel.click();
  });

  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.dataset.selectOnFocus !== undefined) input.select();
  });
  document.addEventListener("htmx:load", function (event) {
    var root = event.detail && event.detail.elt;
    if (!root || !root.querySelectorAll || !window.bootstrap) { return; }
    var toasts = Array.prototype.slice.call(root.querySelectorAll(".toast[data-autoshow]"));
    if (root.matches && root.matches(".toast[data-autoshow]")) { toasts.push(root); }
    toasts.forEach(function (toast) {
      toast.removeAttribute("data-autoshow");
      toast.addEventListener("hidden.bs.toast", function () { toast.remove(); });
      window.bootstrap.Toast.getOrCreateInstance(toast, { delay: 8000 }).show();
    });
  });


  // A workspace page names its service worker (installable app, offline page); the public site
  // and the console do not.
  var worker = document.querySelector("meta[name=relata-service-worker]");
  if (worker && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(worker.content, { scope: "/" }).catch(function () { /* no offline page then */ });
  }
})();
