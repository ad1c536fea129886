// Settings → Custom fields, the field forms: an Alpine component that shows the inputs the chosen
// type needs and edits the rows of select options (posted as parallel option_value / option_label
// lists). The list's drag reorder is sortable-rows.js.
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
