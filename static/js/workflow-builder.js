// Settings → Workflows → rule builder: an Alpine component that edits the trigger settings, the
// conditions (groups of comparisons, one level of nesting) and the ordered actions, and keeps the
// three JSON documents in the form's hidden inputs in sync. The server validates what is posted;
// its errors come back keyed by path (actions[2].subject) and are shown next to the control. Its
// data comes from the page's json_script elements and the form's hidden inputs.
document.addEventListener("alpine:init", function () {
  var nextId = 1;
  function tag(item) {
    // A key for x-for that never reaches the server (see strip).
    item._id = nextId++;
    if (item && Array.isArray(item.conditions)) item.conditions.forEach(tag);
    return item;
  }
  function strip(key, value) { return key === "_id" ? undefined : value; }
  function parse(input, fallback) {
    try { return input && input.value ? JSON.parse(input.value) : fallback; } catch (error) { return fallback; }
  }
  var readJSON = window.relataReadJSON;
  var DEFAULTS = {
    update_field: function () { return {field: "", value: ""}; },
    create_activity: function () { return {kind: "task", subject: "", due_in: {days: 1, hours: 0}, assignee: "record_owner"}; },
    assign_round_robin: function () { return {team_id: ""}; },
    send_email: function () { return {template_id: "", to: "record"}; },
    http_request: function () { return {url: "", method: "POST", headers: {}}; },
    wait: function () { return {days: 1}; }
  };

  Alpine.data("workflowBuilder", function () {
    return {
      config: readJSON("workflow-builder-config", {}),
      errors: readJSON("workflow-builder-errors", {}),
      entity: "",
      trigger: "",
      triggerConfig: {},
      conditions: {match: "all", conditions: []},
      actions: [],
      newActionType: "create_activity",

      init: function () {
        this.entity = this.$el.dataset.entity;
        this.trigger = this.$el.dataset.trigger;
        var config = parse(this.$refs.triggerConfigInput, {});
        this.triggerConfig = config && typeof config === "object" && !Array.isArray(config) ? config : {};
        var conditions = parse(this.$refs.conditionsInput, null);
        if (!conditions || !Array.isArray(conditions.conditions)) conditions = {match: "all", conditions: []};
        conditions.conditions.forEach(tag);
        this.conditions = conditions;
        var actions = parse(this.$refs.actionsInput, []);
        this.actions = (Array.isArray(actions) ? actions : []).map(function (action) {
          var item = action && typeof action === "object" ? action : {type: ""};
          if (item.type === "create_activity" && !item.due_in) item.due_in = {days: 0, hours: 0};
          return tag(item);
        });
      },
      sync: function () {
        this.$refs.triggerConfigInput.value = JSON.stringify(this.triggerConfig, strip);
        this.$refs.conditionsInput.value = JSON.stringify(this.conditions, strip);
        this.$refs.actionsInput.value = JSON.stringify(this.actions, strip);
      },
      err: function (path) { return (this.errors[path] || []).join(" "); },
      eventTrigger: function () { return (this.config.eventTriggers || {})[this.trigger] || null; },
      eventTriggerOptions: function () { var t = this.eventTrigger(); return t ? t.options : []; },
      eventTriggerLabel: function () { var t = this.eventTrigger(); return t ? t.label : ""; },
      // "Form submitted": the workspace's web forms when the marketing module lists them, else a key to type.
      webForms: function () { return this.config.webForms || []; },
      hasWebForms: function () { return this.webForms().length > 0; },
      isFormSubmitted: function () { return this.trigger === "form_submitted"; },
      formPicked: function () { return this.isFormSubmitted() && this.hasWebForms(); },
      formTyped: function () { return this.isFormSubmitted() && !this.hasWebForms(); },

      // Writes and paths for the attributes: Alpine's CSP build evaluates only simple
      // expressions there and refuses property assignments, so every change goes through these.
      assign: function (target, key, value) { target[key] = value; },
      assignNumber: function (target, key, value) {
        target[key] = value === "" || isNaN(Number(value)) ? value : Number(value);
      },
      assignId: function (target, key, value) { target[key] = Number(value) || ""; },
      same: function (a, b) { return String(a) === String(b); },
      conditionPath: function (index, subIndex) {
        var path = "conditions.conditions[" + index + "]";
        return subIndex === undefined ? path : path + ".conditions[" + subIndex + "]";
      },
      actionPath: function (index, key) { return "actions[" + index + "]." + key; },
      controlId: function (index, name) { return "a" + index + "-" + name; },
      setComparisonField: function (comparison, path) {
        comparison.field = path;
        this.fixOp(comparison);
      },
      setUpdateField: function (action, path) {
        action.field = path;
        action.value = "";
      },
      settableFields: function () { return this.fields().filter(function (f) { return f.settable; }); },
      valueKind: function (action) { return this.inputKind({field: action.field, op: "eq"}); },

      // Fields, operators and values
      fields: function () { return this.config.catalogs[this.entity] || []; },
      field: function (path) {
        return this.fields().find(function (f) { return f.path === path; }) || null;
      },
      triggerFields: function () {
        var fields = this.fields();
        if (this.trigger !== "date_reached") return fields;
        return fields.filter(function (f) { return f.kind === "date" || f.kind === "datetime"; });
      },
      opsFor: function (path) {
        var info = this.field(path);
        return info ? this.config.operators[info.kind] || ["eq", "ne"] : [];
      },
      opLabel: function (op) { return this.config.operatorLabels[op] || op; },
      fixOp: function (comparison) {
        var ops = this.opsFor(comparison.field);
        if (ops.indexOf(comparison.op) < 0) comparison.op = ops[0] || "";
        comparison.value = "";
      },
      needsValue: function (comparison) {
        return Boolean(comparison.field) && this.config.valueless.indexOf(comparison.op) < 0;
      },
      inputKind: function (comparison) {
        var info = this.field(comparison.field);
        if (!info) return "text";
        if (comparison.op === "in" || comparison.op === "contains" && info.kind === "text") return "text";
        if (["choice", "multi_choice", "boolean", "user"].indexOf(info.kind) >= 0) return "select";
        if (["number", "decimal", "money"].indexOf(info.kind) >= 0) return "number";
        if (info.kind === "date") return "date";
        if (info.kind === "datetime") return "datetime-local";
        return "text";
      },
      valueChoices: function (path) {
        var info = this.field(path);
        if (!info) return [];
        if (info.kind === "boolean") return this.config.labels.booleans;
        if (info.kind === "user") return this.config.users;
        return info.choices;
      },
      isGroup: function (item) { return Boolean(item) && Array.isArray(item.conditions); },
      newComparison: function () { return tag({field: "", op: "eq", value: ""}); },
      newGroup: function () { return tag({match: "any", conditions: [tag({field: "", op: "eq", value: ""})]}); },

      // Actions
      actionLabel: function (type) {
        var found = this.config.actionTypes.find(function (o) { return o.value === type; });
        return found ? found.label : type;
      },
      registeredAction: function (type) { return (this.config.registeredActions || {})[type] || null; },
      registeredOptions: function (type) { var found = this.registeredAction(type); return found && found.options ? found.options : null; },
      registeredLabel: function (type) { var found = this.registeredAction(type); return found ? found.label : ""; },
      actionTypes: function () {
        // The built-in actions, and the modules' actions that apply to the rule's record type.
        var self = this;
        return this.config.actionTypes.filter(function (o) {
          var registered = self.registeredAction(o.value);
          return !registered || !registered.entities.length || registered.entities.indexOf(self.entity) >= 0;
        });
      },
      addAction: function () {
        var make = DEFAULTS[this.newActionType] || (this.registeredAction(this.newActionType) && function () { return {id: ""}; });
        if (!make || this.actions.length >= this.config.maxActions) return;
        var action = make();
        action.type = this.newActionType;
        this.actions.push(tag(action));
      },
      moveAction: function (index, step) {
        var target = index + step;
        if (target < 0 || target >= this.actions.length) return;
        var moved = this.actions.splice(index, 1)[0];
        this.actions.splice(target, 0, moved);
      },
      headersText: function (action) {
        var headers = action.headers || {};
        return Object.keys(headers).map(function (name) { return name + ": " + headers[name]; }).join("\n");
      },
      setHeaders: function (action, text) {
        var headers = {};
        text.split("\n").forEach(function (line) {
          var at = line.indexOf(":");
          if (at > 0) headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
        });
        action.headers = headers;
      },
      waitUnit: function (action) { return action.days !== undefined ? "days" : "hours"; },
      waitAmount: function (action) { return action[this.waitUnit(action)]; },
      setWait: function (action, amount, unit) {
        delete action.days;
        delete action.hours;
        action[unit] = amount === "" ? "" : Number(amount);
      }
    };
  });
});
