// Marketing → Segments → rule builder: an Alpine component that edits a segment's rules (a group
// of conditions and nested groups), keeps them as JSON in the form's hidden input, and asks the
// server for the live count and the first matching contacts while editing (debounced; the server
// rate-limits it). The server checks what is posted; its errors come back keyed by path
// (rules.conditions[1].value) and are shown next to the control. Data comes from json_script.
document.addEventListener("alpine:init", function () {
  var nextId = 1;
  function tag(item) {
    item._id = nextId++;
    if (item && Array.isArray(item.conditions)) item.conditions.forEach(tag);
    return item;
  }
  function strip(key, value) { return key === "_id" ? undefined : value; }
  var readJSON = window.relataReadJSON;

  Alpine.data("segmentBuilder", function () {
    return {
      config: readJSON("segment-builder-config", {}),
      errors: readJSON("segment-builder-errors", {}),
      rules: {match: "all", conditions: []},
      kind: "dynamic",
      count: null,
      contacts: [],
      previewError: "",
      loading: false,
      timer: null,
      lastSent: "",

      init: function () {
        var rules = null;
        try { rules = JSON.parse(this.$refs.rulesInput.value || "null"); } catch (error) { rules = null; }
        if (!rules || !Array.isArray(rules.conditions)) rules = {match: "all", conditions: []};
        rules.conditions.forEach(tag);
        this.rules = rules;
        this.kind = this.$el.dataset.kind || "dynamic";
      },
      sync: function () {
        var text = JSON.stringify(this.rules, strip);
        this.$refs.rulesInput.value = text;
        if (this.kind !== "dynamic" || text === this.lastSent) return;
        var self = this;
        clearTimeout(this.timer);
        this.timer = setTimeout(function () { self.preview(text); }, 700);
      },
      setKind: function (value) { this.kind = value; },
      isDynamic: function () { return this.kind === "dynamic"; },
      preview: function (text) {
        var self = this;
        var csrf = this.$root.querySelector("input[name=csrfmiddlewaretoken]").value;
        this.lastSent = text;
        this.loading = true;
        fetch(this.config.previewUrl, {
          method: "POST", credentials: "same-origin",
          headers: {"X-CSRFToken": csrf, "Content-Type": "application/json", "Accept": "application/json"},
          body: JSON.stringify({rules: JSON.parse(text)})
        }).then(function (response) {
          return response.json().then(function (data) { return {ok: response.ok, data: data}; });
        }).then(function (result) {
          self.loading = false;
          if (result.ok) {
            self.count = result.data.count;
            self.contacts = result.data.contacts;
            self.errors = {};
            self.previewError = "";
          } else {
            self.errors = result.data.errors || {};
            self.previewError = (self.errors.rules || []).join(" ");
          }
        }).catch(function () { self.loading = false; });
      },
      err: function (path) { return (this.errors[path] || []).join(" "); },
      path: function (index, subIndex, key) {
        var path = "rules.conditions[" + index + "]";
        if (subIndex !== undefined && subIndex !== null) path += ".conditions[" + subIndex + "]";
        return key ? path + "." + key : path;
      },
      controlId: function (index, subIndex, name) { return "c" + index + "-" + (subIndex === null ? "x" : subIndex) + "-" + name; },

      // Writes go through methods: the CSP build of Alpine refuses assignments in attributes.
      assign: function (target, key, value) { target[key] = value; },
      assignMany: function (target, key, select) {
        target[key] = Array.prototype.filter.call(select.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      },
      same: function (a, b) { return String(a) === String(b); },
      has: function (list, value) { return Array.isArray(list) && list.map(String).indexOf(String(value)) >= 0; },
      isGroup: function (item) { return Boolean(item) && Array.isArray(item.conditions); },
      newCondition: function () { return tag({type: "contact", field: "", op: "", value: ""}); },
      addCondition: function (group) { group.conditions.push(this.newCondition()); },
      addGroup: function (group) { group.conditions.push(tag({match: "any", conditions: [this.newCondition()]})); },
      remove: function (group, index) { group.conditions.splice(index, 1); },

      setType: function (condition, type) {
        Object.keys(condition).forEach(function (key) { if (key !== "_id") delete condition[key]; });
        condition.type = type;
        if (this.isField(condition)) { condition.field = ""; condition.op = ""; condition.value = ""; }
        else { var ops = this.kindOps(condition); condition.op = ops.length ? ops[0].value : ""; }
      },
      isField: function (condition) { return Object.prototype.hasOwnProperty.call(this.config.catalogs, condition.type); },
      fields: function (condition) { return this.config.catalogs[condition.type] || []; },
      field: function (condition) {
        var path = condition.field;
        return this.fields(condition).find(function (f) { return f.path === path; }) || null;
      },
      setField: function (condition, path) {
        condition.field = path;
        var ops = this.fieldOps(condition);
        condition.op = ops[0] || "";
        condition.value = "";
      },
      fieldOps: function (condition) {
        var info = this.field(condition);
        return info ? this.config.operators[info.kind] || [] : [];
      },
      opLabel: function (op) { return this.config.operatorLabels[op] || op; },
      needsValue: function (condition) {
        return Boolean(condition.field) && this.config.valueless.indexOf(condition.op) < 0;
      },
      inputKind: function (condition) {
        var info = this.field(condition);
        if (!info) return "text";
        if (condition.op === "in_last_days" || condition.op === "over_days_ago") return "number";
        if (condition.op === "in" || condition.op === "not_in") return "text";
        if (["choice", "multi_choice", "boolean", "user"].indexOf(info.kind) >= 0 && info.choices.length) return "select";
        if (info.kind === "boolean") return "select";
        if (["number", "decimal", "money"].indexOf(info.kind) >= 0) return "number";
        if (info.kind === "date") return "date";
        if (info.kind === "datetime") return "datetime-local";
        return "text";
      },
      valueChoices: function (condition) {
        var info = this.field(condition);
        if (!info) return [];
        return info.kind === "boolean" ? this.config.labels.booleans : info.choices;
      },

      // Registered kinds (tags, activities, deals, orders, leads, e-mail engagement…)
      kindOf: function (condition) {
        var type = condition.type;
        return this.config.conditions.find(function (c) { return c.key === type; }) || null;
      },
      kindOps: function (condition) { var kind = this.kindOf(condition); return kind ? kind.ops : []; },
      setOp: function (condition, op) { condition.op = op; },
      params: function (condition) {
        var kind = this.kindOf(condition);
        if (!kind) return [];
        return kind.params.filter(function (p) { return !p.ops.length || p.ops.indexOf(condition.op) >= 0; });
      },
      paramInput: function (param) {
        if (param.kind === "choice") return "select";
        if (param.kind === "choices") return "multi";
        if (param.kind === "text") return "text";
        return "number";
      }
    };
  });
});
