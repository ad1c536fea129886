// Marketing → Surveys → builder: an Alpine component that edits the survey's questions (add,
// reorder, edit, remove; the choices of choice questions) and keeps them as one JSON document in
// the form's hidden input. The server validates what is posted; its errors come back keyed by path
// (questions[2].choices) and are shown next to the question. Labels come from data- attributes.
document.addEventListener("alpine:init", function () {
  var nextKey = 1;
  var CHOICE_KINDS = ["single", "multiple"];
  function strip(key, value) { return key === "_key" ? undefined : value; }

  Alpine.data("surveyBuilder", function () {
    return {
      questions: [],
      errors: {},
      newKind: "nps",

      init: function () {
        var stored = [];
        try { stored = JSON.parse(this.$refs.questionsInput.value || "[]"); } catch (error) { stored = []; }
        this.errors = window.relataReadJSON("survey-builder-errors", {}) || {};
        this.questions = (Array.isArray(stored) ? stored : []).map(function (question) {
          var item = question && typeof question === "object" ? question : {};
          return {_key: nextKey++, id: item.id || null, kind: item.kind || "short_text", label: item.label || "",
                  required: !!item.required, choices: Array.isArray(item.choices) ? item.choices : []};
        });
      },
      sync: function () { this.$refs.questionsInput.value = JSON.stringify(this.questions, strip); },
      add: function () {
        var choices = CHOICE_KINDS.indexOf(this.newKind) >= 0 ? ["", ""] : [];
        this.questions.push({_key: nextKey++, id: null, kind: this.newKind, label: "", required: false, choices: choices});
      },
      remove: function (index) { this.questions.splice(index, 1); },
      moveUp: function (index) {
        if (index <= 0) return;
        var item = this.questions.splice(index, 1)[0];
        this.questions.splice(index - 1, 0, item);
      },
      moveDown: function (index) {
        if (index >= this.questions.length - 1) return;
        var item = this.questions.splice(index, 1)[0];
        this.questions.splice(index + 1, 0, item);
      },
      isFirst: function (index) { return index === 0; },
      isLast: function (index) { return index === this.questions.length - 1; },
      hasChoices: function (question) { return CHOICE_KINDS.indexOf(question.kind) >= 0; },
      setLabel: function (question, value) { question.label = value; },
      setKind: function (question, value) {
        question.kind = value;
        if (this.hasChoices(question) && question.choices.length < 2) question.choices = ["", ""];
      },
      setRequired: function (question, value) { question.required = !!value; },
      choicesText: function (question) { return question.choices.join("\n"); },
      setChoices: function (question, value) { question.choices = value.split("\n"); },
      err: function (index, key) {
        var path = "questions[" + index + "]" + (key ? "." + key : "");
        return (this.errors[path] || []).join(" ");
      },
      controlId: function (index, name) { return "q" + index + "-" + name; },
      number: function (index) { return index + 1; }
    };
  });
});
