// Sales → Board: dragging a deal card to another stage moves the deal; when the stage needs more
// (an amount, a lost reason…) a modal asks for it. A card dropped on Won or Lost can be taken back
// (Undo) for a while; the order of the cards within a stage is kept. Texts come from the page
// (json_script).
window.addEventListener("load", function () {
  function text(id) { return JSON.parse(document.getElementById(id).textContent); }
  var moveFailed = text("board-messages-move-failed");
  var closedTexts = {won: text("board-messages-won"), lost: text("board-messages-lost")};
  var undoBox = document.getElementById("board-undo");
  var undoButton = document.getElementById("board-undo-button");
  var undoable = null;  // the last drop on Won or Lost: {drop}
  var FILLABLE = ["amount", "expected_close_date", "description", "lost_reason", "lost_note"];
  var csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
  var modalElement = document.getElementById("move-modal");
  var modal = new bootstrap.Modal(modalElement);
  var form = document.getElementById("move-form");
  var pending = null;  // the drop waiting for the modal

  function showError(text) {
    var box = document.getElementById("board-error");
    box.textContent = text;
    box.classList.toggle("d-none", !text);
  }
  function putBack(drop) {
    var reference = drop.from.children[drop.oldIndex] || null;
    drop.from.insertBefore(drop.item, reference);
  }
  function messagesOf(errors) {
    return Object.keys(errors).map(function (field) {
      return errors[field].map(function (error) { return error.message; }).join(" ");
    });
  }
  function refreshHeads() {
    return fetch(window.location.href, {headers: {"X-Requested-With": "fetch"}}).then(function (response) {
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      document.querySelectorAll(".board-column-head").forEach(function (head) {
        var other = fresh.querySelector('.board-column-head[data-stage="' + head.dataset.stage + '"]');
        if (other) head.innerHTML = other.innerHTML;
      });
    });
  }
  function post(drop, extra) {
    var body = new FormData();
    body.append("stage", drop.to.dataset.stage);
    Object.keys(extra).forEach(function (name) { if (extra[name] !== "") body.append(name, extra[name]); });
    return fetch(drop.item.dataset.moveUrl, {
      method: "POST", body: body, headers: {"X-CSRFToken": csrf}, credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; });
    });
  }
  function saveOrder(column) {
    var body = new FormData();
    column.querySelectorAll(".board-card").forEach(function (card) { body.append("deal", card.dataset.deal); });
    return fetch(column.dataset.orderUrl, {
      method: "POST", body: body, headers: {"X-CSRFToken": csrf}, credentials: "same-origin"
    }).then(function (response) { if (!response.ok) showError(moveFailed); });
  }
  function offerUndo(drop) {
    var kind = drop.to.dataset.kind;
    if (kind !== "won" && kind !== "lost") {
      undoable = null;
      undoBox.classList.add("d-none");
      return;
    }
    undoable = drop;
    document.getElementById("board-undo-text").textContent = closedTexts[kind].replace("%(deal)s", drop.item.dataset.name);
    undoBox.classList.remove("d-none");
  }
  undoButton.addEventListener("click", function () {
    var drop = undoable;
    if (!drop) return;
    undoable = null;
    undoBox.classList.add("d-none");
    fetch(drop.item.dataset.undoUrl, {
      method: "POST", headers: {"X-CSRFToken": csrf, "Accept": "application/json"}, credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) {
        return response.json().then(function (data) {
          showError(Object.keys(data.errors || {}).map(function (field) { return data.errors[field].join(" "); }).join(" ") || moveFailed);
        });
      }
      putBack(drop);
      return Promise.all([refreshHeads(), saveOrder(drop.from)]);
    }).catch(function () { showError(moveFailed); });
  });
  function move(drop, extra) {
    showError("");
    return post(drop, extra).then(function (result) {
      if (result.ok) {
        pending = null;
        modal.hide();
        offerUndo(drop);
        return Promise.all([refreshHeads(), saveOrder(drop.to)]);
      }
      var errors = result.data.errors || {};
      var fields = Object.keys(errors);
      if (drop.to.dataset.kind === "lost") fields.push("lost_reason", "lost_note");
      var fillable = fields.filter(function (field) { return FILLABLE.indexOf(field) >= 0; });
      var others = fields.filter(function (field) { return FILLABLE.indexOf(field) < 0; });
      if (others.length || !fillable.length) {
        pending = null;
        modal.hide();
        putBack(drop);
        showError(messagesOf(errors).join(" "));
        return;
      }
      pending = drop;
      document.getElementById("move-messages").textContent = messagesOf(errors).join(" ");
      form.querySelectorAll("[data-field]").forEach(function (group) {
        group.classList.toggle("d-none", fillable.indexOf(group.dataset.field) < 0);
      });
      modal.show();
    }).catch(function () {
      putBack(drop);
      showError(moveFailed);
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!pending) return;
    var extra = {};
    form.querySelectorAll("[data-field]:not(.d-none) [name]").forEach(function (input) { extra[input.name] = input.value; });
    move(pending, extra);
  });
  modalElement.addEventListener("hidden.bs.modal", function () {
    if (pending) { putBack(pending); pending = null; }
    form.reset();
  });
  document.querySelectorAll(".board-cards").forEach(function (column) {
    Sortable.create(column, {
      group: "deals", animation: 150, draggable: ".board-card", forceFallback: true, fallbackTolerance: 3,
      onEnd: function (drop) {
        if (drop.from !== drop.to) move(drop, {});
        else if (drop.oldIndex !== drop.newIndex) saveOrder(drop.to);
      }
    });
  });
});
