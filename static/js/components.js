// The Alpine components of the pages, registered by name for Alpine's CSP build: attributes hold
// only simple expressions over these objects (no inline functions, no property assignments).
// Server values never appear in an attribute expression: a component reads them from a
// <script type="application/json"> element rendered by Django's json_script filter, or from the
// form controls it wraps. Page-sized components live in files of their own
// (workflow-builder.js, custom-fields-admin.js).
document.addEventListener("alpine:init", function () {
  "use strict";

  var readJSON = window.relataReadJSON;

  // The search box in the top bar (a combobox): Ctrl/Cmd-K focuses it, results show while it has
  // text, arrow keys move through them (aria-activedescendant), Enter opens the one chosen and
  // Escape closes the list. The options are read afresh on every key, since htmx replaces them.
  Alpine.data("globalSearch", function () {
    return {
      visible: false,
      q: "",
      init: function () { this.q = this.$refs.q.value; },
      show: function () { this.visible = true; },
      hide: function () { this.visible = false; this.choose(null); },
      escape: function () { this.hide(); this.$refs.q.blur(); },
      focusBox: function () { this.$refs.q.focus(); this.$refs.q.select(); },
      hasResults: function () { return this.visible && this.q.trim() !== ""; },
      expanded: function () { return this.hasResults() ? "true" : "false"; },
      options: function () {
        return Array.prototype.slice.call(this.$root.querySelectorAll("#global-search-results [role=option]"));
      },
      current: function () {
        return this.$root.querySelector("#global-search-results [aria-selected=true]");
      },
      choose: function (option) {
        var previous = this.current();
        if (previous) { previous.setAttribute("aria-selected", "false"); previous.classList.remove("active"); }
        if (option) {
          option.setAttribute("aria-selected", "true");
          option.classList.add("active");
          this.$refs.q.setAttribute("aria-activedescendant", option.id);
          option.scrollIntoView({ block: "nearest" });
        } else {
          this.$refs.q.removeAttribute("aria-activedescendant");
        }
      },
      move: function (step) {
        var options = this.options();
        if (!options.length) return;
        this.show();
        var index = options.indexOf(this.current());
        index = index === -1 ? (step > 0 ? 0 : options.length - 1) : (index + step + options.length) % options.length;
        this.choose(options[index]);
      },
      open: function (event) {
        var option = this.hasResults() ? this.current() : null;
        if (!option) return;
        event.preventDefault();
        window.location.assign(option.getAttribute("href"));
      }
    };
  });

  // Every record list: the bulk bar appears once rows are ticked and shows the inputs the chosen
  // action needs (each input's wrapper names its actions in data-actions).
  Alpine.data("recordBulkActions", function () {
    return {
      selected: 0,
      action: "",
      count: function () { this.selected = this.$root.querySelectorAll("input[name=ids]:checked").length; },
      selectAll: function (event) {
        var checked = event.target.checked;
        event.target.closest("table").querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = checked; });
        this.count();
      },
      is: function (action) { return this.action === action; },
      shows: function (element) { return (element.dataset.actions || "").split(" ").indexOf(this.action) >= 0; },
      applyClass: function () { return this.action === "delete" ? "btn-danger" : "btn-primary"; },
      confirmDelete: function (event) {
        if (this.action === "delete" && !window.confirm(event.currentTarget.dataset.deleteConfirm)) event.preventDefault();
      }
    };
  });

  // A searchable picker over a large set of records (companies, contacts, a dashboard's owners):
  // the search box asks the page's JSON endpoint (within the user's visibility) and a pick fills
  // the hidden id. A pick, and emptying the box, announce themselves as a bubbling "picked" event
  // (a hidden input fires no change) for pages that act at once.
  Alpine.data("recordPicker", function () {
    return {
      results: [],
      open: false,
      searched: false,
      active: -1,
      timer: null,
      announce: function (id) {
        this.$root.dispatchEvent(new CustomEvent("picked", {bubbles: true, detail: {id: id}}));
      },
      search: function () {
        var self = this;
        var had = this.$refs.value.value;
        this.$refs.value.value = "";
        if (had && !this.$refs.search.value.trim()) { this.announce(""); }
        clearTimeout(this.timer);
        this.timer = setTimeout(function () { self.load(); }, 200);
      },
      load: function () {
        var self = this;
        var q = this.$refs.search.value.trim();
        if (!q) { this.results = []; this.open = false; return; }
        fetch(this.$root.dataset.url + "?q=" + encodeURIComponent(q), {headers: {Accept: "application/json"}, credentials: "same-origin"})
          .then(function (response) { return response.ok ? response.json() : {results: []}; })
          .then(function (data) {
            self.results = data.results;
            self.active = data.results.length ? 0 : -1;
            self.searched = true;
            self.open = true;
          });
      },
      move: function (step) {
        if (!this.results.length) return;
        this.open = true;
        this.active = (this.active + step + this.results.length) % this.results.length;
      },
      isActive: function (index) { return index === this.active ? "true" : "false"; },
      activeClass: function (index) { return index === this.active ? "active" : ""; },
      expanded: function () { return this.open ? "true" : "false"; },
      choose: function (index) {
        var item = this.results[index];
        if (!item) return;
        this.$refs.value.value = item.id;
        this.$refs.search.value = item.label;
        this.open = false;
        this.announce(item.id);
      },
      chooseAt: function (element) { this.choose(Number(element.dataset.index)); },
      pickActive: function (event) {
        if (this.open && this.active >= 0) { event.preventDefault(); this.choose(this.active); }
      },
      close: function () { this.open = false; },
      empty: function () { return this.searched && this.results.length === 0; }
    };
  });

  // Lead conversion: which parts of the form show follows the choices.
  Alpine.data("leadConversion", function () {
    return {
      company: readJSON("lead-conversion-company", "new"),
      contact: readJSON("lead-conversion-contact", "new"),
      deal: readJSON("lead-conversion-deal", "false") === "true",
      companyIs: function (choice) { return this.company === choice; },
      contactIs: function (choice) { return this.contact === choice; }
    };
  });

  // A quote line's edit row, open from the start when its form came back with errors.
  Alpine.data("quoteLine", function () {
    return {
      editing: false,
      init: function () { this.editing = this.$el.dataset.editing !== undefined; },
      toggle: function () { this.editing = !this.editing; }
    };
  });

  // Completing an activity: the follow-up fields show when a follow-up is wanted.
  Alpine.data("activityCompletion", function () {
    return {followUp: readJSON("activity-follow-up", "false") === "true"};
  });

  // A report's e-mail delivery: the day of the week shows for a weekly one, the day of the month
  // for a monthly one. The choice starts from the select as the server rendered it.
  Alpine.data("reportSubscription", function () {
    return {
      frequency: "",
      init: function () {
        var select = this.$el.querySelector("select[name=frequency]");
        this.frequency = select ? select.value : "";
      },
      frequencyIs: function (choice) { return this.frequency === choice; }
    };
  });

  // Custom-field filters above a list: the operators offered follow the chosen field.
  Alpine.data("customFieldFilter", function () {
    return {
      ops: [],
      key: "",
      init: function () { this.read(); },
      read: function () {
        var option = this.$refs.field.selectedOptions[0];
        this.ops = option && option.dataset.ops ? option.dataset.ops.split(" ") : [];
        this.key = this.$refs.field.value;
      },
      change: function () {
        this.read();
        this.$refs.op.value = this.ops[0] || "";
      },
      offers: function (op) { return this.ops.indexOf(op) >= 0; },
      optionsList: function () { return "cf-options-" + this.key; }
    };
  });
});
