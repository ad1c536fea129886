// The activity form's meeting parts: parts shown for the kinds they belong to (data-kinds), the
// attendee picker (suggestions from the server; any typed address is accepted on Enter), the
// recurrence editor's parts following the chosen frequency and end, and the colleagues' busy
// times for the day being picked, asked again whenever the time or the people change.
document.addEventListener('DOMContentLoaded', function () {
  'use strict';
  var form = document.getElementById('activity-form');
  if (!form) return;
  var kind = form.querySelector('[name=kind]');
  var search = document.getElementById('attendee-search');
  var results = document.getElementById('attendee-results');
  var chips = document.getElementById('attendee-chips');
  var template = document.getElementById('attendee-chip-template');
  var freeBusy = document.getElementById('free-busy');
  var repeat = form.querySelector('[name=repeat]');
  var repeatEnd = form.querySelector('[name=repeat_end]');
  var suggestions = [];
  var active = -1;
  var timer = null;

  function showKinds() {
    form.querySelectorAll('[data-kinds]').forEach(function (part) {
      part.classList.toggle('d-none', part.dataset.kinds.split(' ').indexOf(kind.value) < 0);
    });
  }

  function showRepeat() {
    if (!repeat) return;
    var frequency = repeat.value;
    form.querySelectorAll('[data-repeats]').forEach(function (part) {
      part.classList.toggle('d-none', part.dataset.repeats.split(' ').indexOf(frequency) < 0);
    });
    var unit = form.querySelector('[data-interval-unit]');
    if (unit) unit.textContent = unit.dataset[frequency] || '';
    var end = repeatEnd ? repeatEnd.value : 'never';
    form.querySelectorAll('[data-ends]').forEach(function (part) {
      part.classList.toggle('d-none', part.dataset.ends !== end);
    });
  }

  // Attendees

  function chosen() {
    return Array.prototype.map.call(chips.querySelectorAll('input[name=attendees]'), function (input) { return input.value; });
  }

  function addChip(item) {
    if (chosen().indexOf(item.value) >= 0) return;
    var chip = template.content.firstElementChild.cloneNode(true);
    chip.dataset.value = item.value;
    if (item.user) chip.dataset.user = item.user;
    chip.querySelector('input').value = item.value;
    chip.querySelector('[data-chip-label]').textContent = item.label;
    chip.querySelector('[data-chip-detail]').textContent = item.detail && item.detail !== item.label ? item.detail : '';
    var remove = chip.querySelector('[data-remove-attendee]');
    remove.setAttribute('aria-label', remove.getAttribute('aria-label') + ' ' + item.label);
    chips.appendChild(chip);
    askFreeBusy();
  }

  function close() {
    results.classList.add('d-none');
    search.setAttribute('aria-expanded', 'false');
    active = -1;
  }

  function render() {
    results.textContent = '';
    suggestions.forEach(function (item, index) {
      var option = document.createElement('li');
      option.className = 'list-group-item list-group-item-action' + (index === active ? ' active' : '');
      option.id = 'attendee-option-' + index;
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', index === active ? 'true' : 'false');
      option.dataset.index = String(index);
      var label = document.createElement('div');
      label.textContent = item.label;
      var detail = document.createElement('div');
      detail.className = 'small' + (index === active ? '' : ' text-body-secondary');
      detail.textContent = item.detail;
      option.appendChild(label);
      option.appendChild(detail);
      results.appendChild(option);
    });
    results.classList.toggle('d-none', suggestions.length === 0);
    search.setAttribute('aria-expanded', suggestions.length ? 'true' : 'false');
    if (active >= 0) search.setAttribute('aria-activedescendant', 'attendee-option-' + active);
    else search.removeAttribute('aria-activedescendant');
  }

  function load() {
    var q = search.value.trim();
    if (!q) { suggestions = []; close(); return; }
    fetch(search.dataset.url + '?q=' + encodeURIComponent(q), {headers: {Accept: 'application/json'}, credentials: 'same-origin'})
      .then(function (response) { return response.ok ? response.json() : {results: []}; })
      .then(function (data) {
        if (search.value.trim() !== q) return;
        suggestions = data.results;
        active = suggestions.length ? 0 : -1;
        render();
      });
  }

  function pick(index) {
    var item = suggestions[index];
    if (!item) return;
    addChip(item);
    search.value = '';
    suggestions = [];
    close();
    search.focus();
  }

  function looksLikeAddress(text) {
    return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text);
  }

  if (search) {
    search.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(load, 200);
    });
    search.addEventListener('keydown', function (event) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        if (!suggestions.length) return;
        event.preventDefault();
        active = (active + (event.key === 'ArrowDown' ? 1 : -1) + suggestions.length) % suggestions.length;
        render();
      } else if (event.key === 'Enter') {
        event.preventDefault();  // Enter here picks someone; it never sends the form
        var typed = search.value.trim();
        if (active >= 0 && suggestions.length) pick(active);
        else if (looksLikeAddress(typed)) {
          addChip({value: typed.toLowerCase(), label: typed.toLowerCase(), detail: ''});
          search.value = '';
          close();
        }
      } else if (event.key === 'Escape') {
        close();
      }
    });
    search.addEventListener('blur', function () { setTimeout(close, 150); });
    results.addEventListener('mousedown', function (event) {
      var option = event.target.closest('[role=option]');
      if (!option) return;
      event.preventDefault();
      pick(Number(option.dataset.index));
    });
    chips.addEventListener('click', function (event) {
      var button = event.target.closest('[data-remove-attendee]');
      if (!button) return;
      button.closest('.attendee-chip').remove();
      askFreeBusy();
      search.focus();
    });
  }

  // Free/busy

  function askFreeBusy() {
    if (!freeBusy) return;
    clearTimeout(askFreeBusy.timer);
    askFreeBusy.timer = setTimeout(function () {
      var start = form.querySelector('[name=due_at]').value;
      var params = new URLSearchParams();
      params.append('start', start);
      params.append('end', form.querySelector('[name=ends_at]').value);
      var assignee = form.querySelector('[name=assignee]');
      if (assignee && assignee.value) params.append('users', assignee.value);
      chips.querySelectorAll('[data-user]').forEach(function (chip) { params.append('users', chip.dataset.user); });
      if (freeBusy.dataset.leaveOut) params.append('leave_out', freeBusy.dataset.leaveOut);
      fetch(freeBusy.dataset.url + '?' + params.toString(), {credentials: 'same-origin'})
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html !== null) document.getElementById('free-busy-body').innerHTML = html;
        });
    }, 250);
  }

  kind.addEventListener('change', function () { showKinds(); askFreeBusy(); });
  if (repeat) repeat.addEventListener('change', showRepeat);
  if (repeatEnd) repeatEnd.addEventListener('change', showRepeat);
  ['due_at', 'ends_at', 'assignee'].forEach(function (name) {
    var field = form.querySelector('[name=' + name + ']');
    if (field) field.addEventListener('change', askFreeBusy);
  });
  showKinds();
  showRepeat();
  askFreeBusy();
});
