// Activities → Calendar: FullCalendar over the activities feed; dragging or resizing an activity
// reschedules it. Settings come from the page's #calendar-config (json_script).
document.addEventListener('DOMContentLoaded', function () {
  const config = JSON.parse(document.getElementById('calendar-config').textContent);
  const alertBox = document.getElementById('calendar-alert');
  const csrfToken = config.csrfToken;
  function showError(message) {
    alertBox.textContent = message;
    alertBox.classList.remove('d-none');
  }
  function save(info) {
    alertBox.classList.add('d-none');
    const body = new URLSearchParams();
    body.append('start', info.event.startStr);
    body.append('all_day', info.event.allDay ? 'true' : 'false');
    if (info.endDelta || (info.event.allDay !== info.oldEvent.allDay)) {
      if (info.event.endStr) body.append('end', info.event.endStr);
    }
    fetch(config.rescheduleUrl.replace('/0/', '/' + info.event.id + '/'), {
      method: 'POST', body: body, credentials: 'same-origin',
      headers: {'X-CSRFToken': csrfToken, 'Accept': 'application/json'}
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          const errors = data.errors ? Object.values(data.errors).flat().join(' ') : '';
          info.revert();
          showError(config.messages.failed + (errors ? ' ' + errors : ''));
        } else {
          info.event.setExtendedProp('saved', true);
          document.getElementById('calendar').dataset.lastSaved = info.event.id;
        }
      });
    }).catch(function () {
      info.revert();
      showError(config.messages.failed);
    });
  }
  const calendar = new FullCalendar.Calendar(document.getElementById('calendar'), {
    locale: config.locale,
    timeZone: 'UTC',
    // Seven days do not fit a phone's width: unless a view was asked for, a phone starts on the day.
    initialView: (window.matchMedia('(max-width: 767.98px)').matches && !new URLSearchParams(window.location.search).has('view'))
      ? 'timeGridDay' : config.initialView,
    headerToolbar: {left: 'prev,next today', center: 'title', right: 'dayGridMonth,timeGridWeek,timeGridDay'},
    nowIndicator: true,
    // Wall-clock times of the user's zone, marked UTC (see the view): "now" is shifted the same way.
    now: function () { return new Date(Date.now() + config.utcOffsetMinutes * 60000); },
    contentHeight: 620,
    // The workspace's working hours, shaded and scrolled to (in the user's zone, from the view).
    businessHours: config.businessHours,
    scrollTime: config.scrollTime,
    editable: true,
    eventStartEditable: true,
    eventDurationEditable: true,
    events: {
      url: config.eventsUrl,
      extraParams: config.team ? {team: config.team} : {},
      failure: function () { showError(config.messages.loadFailed); }
    },
    eventDidMount: function (info) {
      info.el.dataset.activity = info.event.id;
      var props = info.event.extendedProps;
      // Done and cancelled events look apart (relata.css); the tooltip says which in words too.
      info.el.title = props.kind + (props.status !== 'open' && props.statusLabel ? ' · ' + props.statusLabel : '') +
        (props.assignee ? ' · ' + props.assignee : '');
    },
    eventDrop: save,
    eventResize: save
  });
  calendar.render();
  window.relataCalendar = calendar;
});
