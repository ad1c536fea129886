// Settings → Custom fields, the field forms: an Alpine component that shows the inputs the chosen
// type needs and edits the rows of select options (posted as parallel option_value / option_label
// lists). Its starting values come from the page's json_script elements. The list's drag reorder
// is sortable-rows.js.
document.addEventListener("alpine:init", function () {
  var readJSON = window.relataReadJSON;
  Alpine.data("customFieldForm", function () {
    var rows = readJSON("option-rows", []);
    var groups = readJSON("type-groups", {});
    var replacement = readJSON("replace-removed-with", "");
    var nextId = 0;
    function row(value, label) { nextId += 1; return {id: nextId, value: value || "", label: label || ""}; }
    return {
      type: readJSON("field-type-initial", ""),
      rows: rows.map(function (option) { return row(option.value, option.label); }),
      init: function () {
        // The type-change form starts on the first type offered when none was posted.
        var select = this.$el.querySelector("select[name=field_type]");
        if (!this.type && select) this.type = select.value;
      },
      is: function (group) { return groups[group].indexOf(this.type) !== -1; },
      add: function () { this.rows.push(row()); },
      remove: function (index) {
        this.rows.splice(index, 1);
        if (!this.rows.length) this.add();
      },
      // Alpine's CSP build refuses property assignments in attributes (x-model="row.value").
      setRow: function (target, key, value) { target[key] = value; },
      filledRows: function () { return this.rows.filter(function (r) { return r.value; }); },
      isReplacement: function (candidate) { return candidate.value === replacement; },
      numbered: function (label, index) { return label + " " + (index + 1); }
    };
  });
});
