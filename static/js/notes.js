// The note composer (Trix): no file attachments inside notes (files go to the record's Files),
// and @mentions: typing "@" and a few letters lists colleagues (name, e-mail, whether they could
// open the record); picking one inserts a link to "#mention-<id>", which the server reads to
// notify them. Plain listeners on the document, so composers loaded later by htmx work too.
(function () {
  "use strict";

  // "@" at a word's start and up to 30 characters (names have spaces); the list closes when
  // nobody matches any more.
  var MENTION = /(^|\s)@([^@\n]{0,30})$/;
  var state = { editor: null, list: null, start: 0, end: 0, items: [], active: 0, request: 0 };

  function listFor(editorElement) {
    return editorElement.parentElement.querySelector(".mention-list");
  }

  function close() {
    if (state.list) {
      state.list.hidden = true;
      state.list.textContent = "";
    }
    state.items = [];
  }

  function highlight(index) {
    state.active = index;
    state.items.forEach(function (item, position) {
      item.classList.toggle("active", position === index);
      item.setAttribute("aria-selected", position === index ? "true" : "false");
    });
  }

  function pick(index) {
    var item = state.items[index];
    if (!item || !state.editor) { return; }
    var editor = state.editor.editor;
    var link = document.createElement("a");
    link.href = "#mention-" + item.dataset.userId;
    link.textContent = "@" + item.dataset.name;
    editor.setSelectedRange([state.start, state.end]);
    editor.deleteInDirection("forward");
    editor.insertHTML(link.outerHTML);
    editor.insertString(" ");
    close();
    state.editor.focus();
  }

  function show(editorElement, results) {
    var list = listFor(editorElement);
    state.list = list;
    list.textContent = "";
    state.items = results.map(function (user, index) {
      var item = document.createElement("button");
      item.type = "button";
      item.className = "list-group-item list-group-item-action py-1";
      item.setAttribute("role", "option");
      item.dataset.userId = user.id;
      item.dataset.name = user.name;
      item.dataset.index = index;
      var name = document.createElement("span");
      name.className = "fw-semibold";
      name.textContent = user.name;
      var email = document.createElement("span");
      email.className = "small text-body-secondary ms-2";
      email.textContent = user.email;
      item.appendChild(name);
      item.appendChild(email);
      if (!user.can_see) {
        var warning = document.createElement("div");
        warning.className = "small text-warning-emphasis";
        warning.textContent = editorElement.dataset.cannotSee;
        item.appendChild(warning);
      }
      list.appendChild(item);
      return item;
    });
    list.hidden = state.items.length === 0;
    if (!state.items.length) { close(); return; }
    highlight(0);
  }

  document.addEventListener("trix-file-accept", function (event) {
    event.preventDefault();
  });

  document.addEventListener("trix-change", function (event) {
    var element = event.target;
    if (!element.dataset || !element.dataset.mentionsUrl) { return; }
    var editor = element.editor;
    var position = editor.getSelectedRange()[0];
    var before = editor.getDocument().toString().slice(0, position);
    var match = MENTION.exec(before);
    if (!match) { close(); return; }
    state.editor = element;
    state.start = position - match[2].length - 1;
    state.end = position;
    var ticket = ++state.request;
    fetch(element.dataset.mentionsUrl + "?q=" + encodeURIComponent(match[2]), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { if (ticket === state.request) { show(element, data.results || []); } })
      .catch(close);
  });

  document.addEventListener("keydown", function (event) {
    if (!state.items.length || !state.editor || event.target !== state.editor) { return; }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      var step = event.key === "ArrowDown" ? 1 : -1;
      highlight((state.active + step + state.items.length) % state.items.length);
      event.preventDefault();
      event.stopPropagation();
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      event.stopPropagation();
      pick(state.active);
    } else if (event.key === "Escape") {
      close();
    }
  }, true);

  document.addEventListener("click", function (event) {
    var item = event.target.closest ? event.target.closest(".mention-list [data-user-id]") : null;
    if (item) {
      pick(Number(item.dataset.index));
    } else if (state.list && !state.list.contains(event.target)) {
      close();
    }
  });
})();
