// The service desk's parts of the case page, registered for Alpine's CSP build. Loaded by the
// panels that use them (before Alpine starts, since Alpine's script is deferred); the flag keeps
// a second panel from registering them twice.
//  - cannedPicker: fills the chosen canned response in for the case (the server renders its merge
//    fields) and offers the text as the cancellable "case-composer-insert" event (detail: { text }),
//    as the knowledge base's suggestions do; when no composer takes it, it goes into the reply box
//    at the caret.
//  - replyPresence: tells the server while its agent types a reply (a heartbeat every few seconds)
//    and polls who else is replying, showing "X is replying".
(function () {
  "use strict";
  if (window.relataServiceDesk) { return; }
  window.relataServiceDesk = true;

  var HEARTBEAT_MS = 5000;
  var POLL_MS = 8000;

  // The reply box of the case page's composer.
  function replyBox() {
    return document.querySelector("[data-testid=composer] textarea[name=body]");
  }

  function insertAtCaret(box, text) {
    var start = box.selectionStart || 0;
    var end = box.selectionEnd || 0;
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    box.selectionStart = box.selectionEnd = start + text.length;
    box.dispatchEvent(new Event("input", {bubbles: true}));
    box.focus();
  }

  document.addEventListener("alpine:init", function () {
    Alpine.data("cannedPicker", function () {
      return {
        failed: false,
        insert: function () {
          var self = this;
          var url = this.$refs.choice.value;
          if (!url) { return; }
          this.failed = false;
          fetch(url, {headers: {Accept: "application/json"}, credentials: "same-origin"})
            .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
            .then(function (data) {
              var taken = !document.dispatchEvent(
                new CustomEvent("case-composer-insert", {detail: {text: data.text}, cancelable: true})
              );
              var box = replyBox();
              if (!taken && box) { insertAtCaret(box, data.text); }
              self.$refs.choice.value = "";
            })
            .catch(function () { self.failed = true; });
        }
      };
    });

    Alpine.data("replyPresence", function () {
      return {
        visible: false,
        text: "",
        lastBeat: 0,
        init: function () {
          var self = this;
          this.visible = !!this.$el.querySelector("[role=status]:not([hidden])");
          this.$el.querySelector("[role=status]").hidden = false;
          this.text = this.$el.querySelector("[x-text]").textContent.trim();
          document.addEventListener("input", function (event) {
            if (event.target === replyBox()) { self.beat(); }
          });
          document.addEventListener("submit", function (event) {
            var box = replyBox();
            if (box && event.target.contains(box)) { self.send("0"); }
          });
          setInterval(function () { self.poll(); }, POLL_MS);
        },
        csrf: function () { return this.$el.querySelector("[name=csrfmiddlewaretoken]").value; },
        beat: function () {
          var now = Date.now();
          if (now - this.lastBeat < HEARTBEAT_MS) { return; }
          this.lastBeat = now;
          this.send("1");
        },
        send: function (typing) {
          var self = this;
          var body = new URLSearchParams({typing: typing});
          fetch(this.$el.dataset.url, {
            method: "POST", body: body, credentials: "same-origin", keepalive: typing === "0",
            headers: {Accept: "application/json", "X-CSRFToken": this.csrf()}
          }).then(function (response) { return response.ok ? response.json() : null; })
            .then(function (data) { if (data) { self.show(data.replying); } })
            .catch(function () {});
        },
        poll: function () {
          var self = this;
          if (document.hidden) { return; }
          fetch(this.$el.dataset.url, {headers: {Accept: "application/json"}, credentials: "same-origin"})
            .then(function (response) { return response.ok ? response.json() : null; })
            .then(function (data) { if (data) { self.show(data.replying); } })
            .catch(function () {});
        },
        show: function (names) {
          this.visible = names.length > 0;
          var pattern = names.length > 1 ? this.$el.dataset.many : this.$el.dataset.one;
          this.text = pattern.replace("%(names)s", names.join(", "));
        }
      };
    });
  });
})();
