// Drag-to-reorder tables in settings (pipelines, stages, custom fields): rows of a table body with
// data-reorder-url are dragged by their handle; each drop posts the rows' ids in their new order. When the server refuses, the row goes back and the
// element named by data-error-box is shown. The up/down buttons do the same without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  var token = document.querySelector("[name=csrfmiddlewaretoken]");
  document.querySelectorAll("tbody[data-reorder-url]").forEach(function (body) {
    var errorBox = document.getElementById(body.dataset.errorBox);
    Sortable.create(body, {
      handle: ".drag-handle", draggable: "tr[data-id]", animation: 150, forceFallback: true, fallbackTolerance: 3,
      onEnd: function (drop) {
        if (drop.oldIndex === drop.newIndex) return;
        var form = new FormData();
        body.querySelectorAll("tr[data-id]").forEach(function (row) { form.append("order", row.dataset.id); });
        errorBox.classList.add("d-none");
        body.setAttribute("aria-busy", "true");
        fetch(body.dataset.reorderUrl, {
          method: "POST", body: form, credentials: "same-origin",
          headers: {"X-CSRFToken": token.value, "X-Requested-With": "fetch"}
        }).then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
        }).catch(function () {
          var others = Array.prototype.filter.call(body.querySelectorAll("tr[data-id]"), function (row) {
            return row !== drop.item;
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
