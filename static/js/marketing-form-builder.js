// The web form builder (Marketing → Forms): an Alpine component that keeps the form's inputs and
// consent checkboxes as lists, lets the marketer add fields from the lead's or contact's catalogue
// (custom fields included), reorder them, label them in the form's language, mark them required,
// and shows a preview. The lists are posted as JSON in two hidden inputs; the server checks them.
document.addEventListener("alpine:init", function () {
  "use strict";

  var readJSON = window.relataReadJSON;

  Alpine.data("webFormBuilder", function () {
    var config = readJSON("web-form-builder-config", { catalogues: {}, topics: [], labels: {} });
    var initialFields = readJSON("web-form-fields", null);
    var initialConsents = readJSON("web-form-consents", []);
    var nextId = 0;
    function item(entry) {
      nextId += 1;
      return {
        id: nextId, field: entry.field, type: entry.type || "", required: !!entry.required,
        label: Object.assign({}, entry.label || {}), help: Object.assign({}, entry.help || {})
      };
    }
    function consent(entry) {
      nextId += 1;
      return {
        id: nextId, topic: entry.topic, label: Object.assign({}, entry.label || {}),
        double_opt_in: entry.double_opt_in !== false
      };
    }
    return {
      creates: "lead",
      language: "en",
      choice: "",
      topicChoice: "",
      fields: [],
      consents: (initialConsents || []).map(consent),
      labels: config.labels,
      init: function () {
        var creates = this.$root.querySelector("select[name=creates]");
        var language = this.$root.querySelector("select[name=language]");
        if (creates) { this.creates = creates.value; }
        if (language) { this.language = language.value; }
        var self = this;
        var defaults = [{ field: "first_name" }, { field: "last_name", required: true }, { field: "email", required: true }];
        this.fields = (initialFields || defaults).map(function (entry) {
          var spec = self.spec(entry.field);
          if (spec && !entry.type) { entry.type = spec.types[0]; }
          return item(entry);
        });
      },
      catalogue: function () { return config.catalogues[this.creates] || []; },
      spec: function (name) {
        var found = null;
        this.catalogue().forEach(function (entry) { if (entry.name === name) { found = entry; } });
        return found;
      },
      available: function () {
        var used = this.fields.map(function (f) { return f.field; });
        return this.catalogue().filter(function (entry) { return used.indexOf(entry.name) === -1; });
      },
      topics: function () {
        var used = this.consents.map(function (c) { return c.topic; });
        return config.topics.filter(function (topic) { return used.indexOf(topic.id) === -1; });
      },
      hasTopics: function () { return config.topics.length > 0; },
      setCreates: function (value) {
        this.creates = value;
        var self = this;
        // Fields the other record type lacks cannot stay.
        this.fields = this.fields.filter(function (f) { return self.spec(f.field) !== null; });
      },
      setLanguage: function (value) { this.language = value; },
      setChoice: function (value) { this.choice = value; },
      setTopicChoice: function (value) { this.topicChoice = value; },
      add: function () {
        var spec = this.spec(this.choice);
        if (!spec) { return; }
        this.fields.push(item({ field: spec.name, type: spec.types[0], required: spec.name === "email" }));
        this.choice = "";
      },
      remove: function (index) { this.fields.splice(index, 1); },
      up: function (index) { if (index > 0) { this.fields.splice(index - 1, 0, this.fields.splice(index, 1)[0]); } },
      down: function (index) { if (index < this.fields.length - 1) { this.fields.splice(index + 1, 0, this.fields.splice(index, 1)[0]); } },
      isFirst: function (index) { return index === 0; },
      isLast: function (index) { return index === this.fields.length - 1; },
      labelOf: function (entry) {
        var spec = this.spec(entry.field);
        return entry.label[this.language] || (spec ? spec.label : entry.field);
      },
      labelValue: function (entry) { return entry.label[this.language] || ""; },
      helpValue: function (entry) { return entry.help[this.language] || ""; },
      catalogueLabel: function (entry) { var spec = this.spec(entry.field); return spec ? spec.label : entry.field; },
      typesOf: function (entry) { var spec = this.spec(entry.field); return spec ? spec.types : []; },
      optionsOf: function (entry) { var spec = this.spec(entry.field); return spec ? spec.options : []; },
      isType: function (entry, type) { return entry.type === type; },
      isInput: function (entry) { return ["textarea", "select", "checkbox"].indexOf(entry.type) === -1; },
      setLabel: function (entry, value) { entry.label[this.language] = value; },
      setHelp: function (entry, value) { entry.help[this.language] = value; },
      setType: function (entry, value) { entry.type = value; },
      setRequired: function (entry, checked) { entry.required = checked || entry.field === "email"; },
      isEmail: function (entry) { return entry.field === "email"; },
      addConsent: function () {
        var id = parseInt(this.topicChoice, 10);
        if (!id) { return; }
        this.consents.push(consent({ topic: id, double_opt_in: true }));
        this.topicChoice = "";
      },
      removeConsent: function (index) { this.consents.splice(index, 1); },
      topicName: function (entry) {
        var name = "";
        config.topics.forEach(function (topic) { if (topic.id === entry.topic) { name = topic.name; } });
        return name;
      },
      consentLabel: function (entry) { return entry.label[this.language] || ""; },
      consentPreview: function (entry) { return entry.label[this.language] || this.topicName(entry); },
      setConsentLabel: function (entry, value) { entry.label[this.language] = value; },
      setDoubleOptIn: function (entry, checked) { entry.double_opt_in = checked; },
      fieldsJSON: function () {
        return JSON.stringify(this.fields.map(function (f) {
          return { field: f.field, type: f.type, required: f.required, label: f.label, help: f.help };
        }));
      },
      consentsJSON: function () {
        return JSON.stringify(this.consents.map(function (c) {
          return { topic: c.topic, label: c.label, double_opt_in: c.double_opt_in };
        }));
      }
    };
  });

  // The embed page's "Copy" buttons.
  Alpine.data("copyCode", function () {
    return {
      copied: false,
      copy: function () {
        var self = this;
        navigator.clipboard.writeText(this.$refs.code.value).then(function () { self.copied = true; });
      }
    };
  });
});
