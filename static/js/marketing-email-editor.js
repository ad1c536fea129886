// Marketing e-mail block editor: an Alpine component that adds, moves, edits and removes the
// e-mail's blocks, keeps them as JSON in the form's hidden "content" input, and refreshes the
// preview: a hidden form posts the blocks to the preview endpoint with the sandboxed iframe as
// its target, so the preview document comes from the server under its own policy.
document.addEventListener("alpine:init", function () {
  var nextId = 1;
  function strip(key, value) { return key === "_id" ? undefined : value; }
  function tag(block) {
    block._id = nextId++;
    if (block.type === "columns") {
      block.left = (block.left || []).map(tag);
      block.right = (block.right || []).map(tag);
    }
    return block;
  }
  var DEFAULTS = {
    heading: function () { return {type: "heading", text: "", level: 1, align: "left"}; },
    text: function () { return {type: "text", html: "<p></p>"}; },
    image: function () { return {type: "image", src: "https://", alt: "", href: "", width: 600}; },
    button: function () { return {type: "button", label: "", href: "https://", colour: "#2563eb", align: "center"}; },
    divider: function () { return {type: "divider"}; },
    spacer: function () { return {type: "spacer", height: 24}; },
    columns: function () { return {type: "columns", left: [], right: []}; },
    footer: function () { return {type: "footer", text: ""}; }
  };

  Alpine.data("emailEditor", function () {
    return {
      blocks: [],
      errors: {},
      newType: "heading",
      columnType: "heading",
      timer: null,

      init: function () {
        var readJSON = window.relataReadJSON;
        this.errors = readJSON("email-editor-errors", {}) || {};
        var blocks = [];
        try { blocks = JSON.parse(this.$refs.contentInput.value || "[]"); } catch (error) { blocks = []; }
        this.blocks = (Array.isArray(blocks) ? blocks : []).map(tag);
        this.refresh();
      },
      json: function () { return JSON.stringify(this.blocks, strip); },
      sync: function () {
        this.$refs.contentInput.value = this.json();
        this.schedule();
      },
      schedule: function () {
        var self = this;
        if (this.timer) window.clearTimeout(this.timer);
        this.timer = window.setTimeout(function () { self.refresh(); }, 400);
      },
      refresh: function () {
        if (!this.$refs.previewForm) return;
        this.$refs.previewContent.value = this.json();
        var preheader = document.getElementById("id_preheader");
        this.$refs.previewPreheader.value = preheader ? preheader.value : "";
        this.$refs.previewForm.submit();
      },
      add: function () {
        if (!DEFAULTS[this.newType]) return;
        this.blocks.push(tag(DEFAULTS[this.newType]()));
        this.sync();
      },
      addToColumn: function (block, side) {
        if (this.columnType === "columns" || this.columnType === "footer" || !DEFAULTS[this.columnType]) return;
        block[side].push(tag(DEFAULTS[this.columnType]()));
        this.sync();
      },
      move: function (list, index, step) {
        var target = index + step;
        if (target < 0 || target >= list.length) return;
        var item = list.splice(index, 1)[0];
        list.splice(target, 0, item);
        this.sync();
      },
      remove: function (list, index) {
        list.splice(index, 1);
        this.sync();
      },
      assign: function (block, key, value) { block[key] = value; },
      assignNumber: function (block, key, value) {
        var number = parseInt(value, 10);
        block[key] = isNaN(number) ? "" : number;
      },
      setNewType: function (value) { this.newType = value; },
      setColumnType: function (value) { this.columnType = value; },
      sides: function () { return ["left", "right"]; },
      blockErrors: function (index) {
        var prefix = "content[" + index + "].";
        var errors = this.errors;
        return Object.keys(errors).filter(function (key) { return key.indexOf(prefix) === 0; })
          .map(function (key) { return errors[key].join(" "); }).join(" ");
      }
    };
  });
});
