// Settings → Custom fields.
// 1. The list: rows of a table body with data-reorder-url are dragged by their handle; each drop
//    posts the rows' ids in their new order. When the server refuses, the row goes back and the
//    element named by data-error-box is shown. The up/down buttons do the same without JavaScript.
// 2. The field forms: an Alpine component that shows the inputs the chosen type needs and edits
//    the rows of select options (posted as parallel option_value / option_label lists).
document.addEventListener("alpine:init", function () {
  Alpine.data("customFieldForm", function (initialType) {
    var rows = JSON.parse(document.getElementById("option-rows").textContent);
    var groups = JSON.parse(document.getElementById("type-groups").textContent);
    var nextId = 0;
    function row(value, label) { nextId += 1; return {id: nextId, value: value || "", label: label || ""}; }
    return {
      type: initialType,
      rows: rows.map(function (option) { return row(option.value, option.label); }),
      is: function (group) { return groups[group].indexOf(this.type) !== -1; },
      add: function () { this.rows.push(row()); },
      remove: function (index) {
        this.rows.splice(index, 1);
        if (!this.rows.length) this.add();
      }
    };
  });
});

document.addEventListener("DOMContentLoaded", function () {
  var token = document.querySelector("[name=csrfmiddlewaretoken]");
  document.querySelectorAll("tbody[data-reorder-url]").forEach(function (body) {
    var errorBox = document.getElementById(body.dataset.errorBox);
    Sortable.create(body, {
      handle: ".drag-handle", draggable: "tr[data-id]", animation: 150, forceFallback: true, fallbackTolerance: 3,
      onEnd: function (drop) {
        if (drop.oldIndex === drop.newIndex) return;
        var form = new FormData();
        body.querySelectorAll("tr[data-id]").forEach(function (item) { form.append("order", item.dataset.id); });
        errorBox.classList.add("d-none");
        body.setAttribute("aria-busy", "true");
        fetch(body.dataset.reorderUrl, {
          method: "POST", body: form, credentials: "same-origin",
          headers: {"X-CSRFToken": token.value, "X-Requested-With": "fetch"}
        }).then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
        }).catch(function () {
          var others = Array.prototype.filter.call(body.querySelectorAll("tr[data-id]"), function (item) {
            return item !== drop.item;
          });
          body.insertBefore(drop.item, others[drop.oldIndex] || null);
          errorBox.classList.remove("d-none");
        }).finally(function () {
          body.removeAttribute("aria-busy");
        });
      }
    });
  });
});
