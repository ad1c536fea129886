// Sales → Board: dragging a deal card to another stage moves the deal; when the stage needs more
// (an amount, a lost reason…) a modal asks for it. Texts come from the page (json_script).
window.addEventListener("load", function () {
  var moveFailed = JSON.parse(document.getElementById("board-messages-move-failed").textContent);
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
  function move(drop, extra) {
    showError("");
    return post(drop, extra).then(function (result) {
      if (result.ok) {
        pending = null;
        modal.hide();
        return refreshHeads();
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
      onEnd: function (drop) { if (drop.from !== drop.to) move(drop, {}); }
    });
  });
});
