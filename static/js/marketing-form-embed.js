// Relata web forms on any site. A page embeds a form with
//   <div data-relata-form="KEY"></div>
//   <script src="https://<workspace host>/f/embed.js" async></script>
// and this script, served by the workspace, asks the workspace for the form (CORS: the form's
// allowed origins only), draws it with DOM calls (no HTML from the server is parsed, no eval, no
// inline handlers, so it runs under a strict Content-Security-Policy), and posts the answers as JSON.
// On the form's own hosted page it only solves the optional proof-of-work captcha.
(function () {
  "use strict";

  var script = document.currentScript;
  var base = script ? new URL(script.src, window.location.href).origin : window.location.origin;
  var UTM = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === true) { node.setAttribute(name, ""); } else if (value !== false && value !== null && value !== undefined) { node.setAttribute(name, String(value)); }
    });
    if (text) { node.textContent = text; }
    return node;
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // ALTCHA's proof of work: the number n ≤ maxNumber with SHA-256(salt + n) = challenge.
  function solve(challenge) {
    var encoder = new TextEncoder();
    var algorithm = challenge.algorithm || "SHA-256";
    function attempt(start) {
      var batch = [];
      for (var n = start; n < start + 500 && n <= challenge.maxNumber; n += 1) {
        batch.push(window.crypto.subtle.digest(algorithm, encoder.encode(challenge.salt + n)));
      }
      return Promise.all(batch).then(function (digests) {
        for (var i = 0; i < digests.length; i += 1) {
          if (hex(digests[i]) === challenge.challenge) {
            return btoa(JSON.stringify({
              algorithm: algorithm, challenge: challenge.challenge, number: start + i,
              salt: challenge.salt, signature: challenge.signature
            }));
          }
        }
        if (start + 500 > challenge.maxNumber) { throw new Error("captcha"); }
        return attempt(start + 500);
      });
    }
    return attempt(0);
  }

  function captchaAnswer(url) {
    return fetch(url, { mode: "cors", credentials: "omit" })
      .then(function (response) { if (!response.ok) { throw new Error("captcha"); } return response.json(); })
      .then(solve);
  }

  function utmOfPage() {
    var params = new URLSearchParams(window.location.search);
    var utm = {};
    UTM.forEach(function (name) { if (params.get(name)) { utm[name] = params.get(name).slice(0, 200); } });
    return utm;
  }

  function drawInput(field) {
    var wrap = el("div", { "class": "relata-form-field mb-3", "data-field": field.name });
    var input;
    if (field.type === "checkbox") {
      input = el("input", { type: "checkbox", name: field.name, id: field.id, value: "true", required: field.required, "class": "form-check-input" });
      var label = el("label", { "for": field.id, "class": "form-check-label" }, field.label + (field.required ? " *" : ""));
      wrap.className += " form-check";
      wrap.appendChild(input);
      wrap.appendChild(label);
    } else {
      wrap.appendChild(el("label", { "for": field.id, "class": "form-label" }, field.label + (field.required ? " *" : "")));
      if (field.type === "textarea") {
        input = el("textarea", { name: field.name, id: field.id, rows: 4, maxlength: field.max_length, required: field.required, "class": "form-control" });
      } else if (field.type === "select") {
        input = el("select", { name: field.name, id: field.id, required: field.required, "class": "form-select" });
        input.appendChild(el("option", { value: "" }, "—"));
        field.options.forEach(function (option) { input.appendChild(el("option", { value: option.value }, option.label)); });
      } else {
        input = el("input", { type: field.type, name: field.name, id: field.id, maxlength: field.max_length, required: field.required, "class": "form-control" });
      }
      wrap.appendChild(input);
    }
    if (field.help) { wrap.appendChild(el("div", { "class": "form-text" }, field.help)); }
    wrap.appendChild(el("div", { "class": "relata-form-error invalid-feedback d-block", role: "alert" }));
    return wrap;
  }

  function showErrors(form, errors) {
    Array.prototype.forEach.call(form.querySelectorAll(".relata-form-error"), function (node) { node.textContent = ""; });
    Object.keys(errors).forEach(function (name) {
      var holder = form.querySelector('[data-field="' + name.replace(/"/g, "") + '"] .relata-form-error') ||
        form.querySelector(".relata-form-errors");
      holder.textContent = errors[name].join(" ");
    });
  }

  function draw(container, config) {
    var form = el("form", { "class": "relata-form", novalidate: true, "data-testid": "relata-embedded-form" });
    form.appendChild(el("div", { "class": "relata-form-errors alert-danger", role: "alert", "data-field": "__all__" }));
    config.inputs.forEach(function (field) { form.appendChild(drawInput(field)); });
    config.consents.forEach(function (box) {
      var wrap = el("div", { "class": "relata-form-consent form-check mb-2" });
      wrap.appendChild(el("input", { type: "checkbox", name: box.name, id: box.id, value: "true", "class": "form-check-input" }));
      wrap.appendChild(el("label", { "for": box.id, "class": "form-check-label" }, box.label));
      form.appendChild(wrap);
    });
    // People never see this input; robots fill it in.
    // Placed off screen through the CSSOM: a style attribute would need the host page's 'unsafe-inline'.
    var trap = el("div", { "aria-hidden": "true" });
    trap.style.position = "absolute";
    trap.style.left = "-10000px";
    trap.style.width = "1px";
    trap.style.height = "1px";
    trap.style.overflow = "hidden";
    trap.appendChild(el("input", { type: "text", name: config.honeypot, tabindex: "-1", autocomplete: "off" }));
    form.appendChild(trap);
    var button = el("button", { type: "submit", "class": "btn btn-primary" }, config.submit_label);
    form.appendChild(button);
    form.appendChild(el("div", { "class": "relata-form-captcha" }, config.captcha_url ? config.texts.working : ""));
    var answer = config.captcha_url ? captchaAnswer(config.captcha_url) : Promise.resolve(null);
    answer.then(function () { form.querySelector(".relata-form-captcha").textContent = ""; }, function () {});

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = utmOfPage();
      Array.prototype.forEach.call(form.elements, function (input) {
        if (!input.name) { return; }
        if (input.type === "checkbox") { if (input.checked) { body[input.name] = "true"; } } else { body[input.name] = input.value; }
      });
      body[config.token_name] = config.token;
      body[config.page_field] = window.location.href.slice(0, 2000);
      button.disabled = true;
      button.textContent = config.texts.sending;
      answer.then(function (payload) {
        if (payload) { body[config.captcha_field] = payload; }
        return fetch(config.submit_url, {
          method: "POST", mode: "cors", credentials: "omit",
          headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
        });
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (result.ok) {
          if (result.data.redirect) { window.location.href = result.data.redirect; return; }
          var thanks = el("div", { "class": "relata-form-thanks", role: "status", "data-testid": "relata-form-thanks" }, result.data.message);
          container.replaceChildren(thanks);
          return;
        }
        showErrors(form, result.data.errors || { __all__: [config.texts.failed] });
        if (config.captcha_url) { answer = captchaAnswer(config.captcha_url); }
        button.disabled = false;
        button.textContent = config.submit_label;
      }).catch(function () {
        showErrors(form, { __all__: [config.texts.failed] });
        button.disabled = false;
        button.textContent = config.submit_label;
      });
    });
    container.replaceChildren(form);
  }

  function embed(container) {
    var key = container.getAttribute("data-relata-form");
    if (!/^[-a-zA-Z0-9_]{1,60}$/.test(key || "")) { return; }
    fetch(base + "/f/" + key + "/config", { mode: "cors", credentials: "omit" })
      .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.json(); })
      .then(function (config) { draw(container, config); })
      .catch(function () { container.textContent = ""; });
  }

  function enhanceHosted(form) {
    var url = form.getAttribute("data-captcha-url");
    var holder = form.querySelector("[data-captcha-answer]");
    if (!url || !holder) { return; }
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    captchaAnswer(url).then(function (payload) { holder.value = payload; button.disabled = false; }, function () { button.disabled = false; });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-relata-form]"), embed);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-relata-hosted]"), enhanceHosted);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
