"""The activity pages, split by area: the list and forms, the calendar and iCalendar, notifications."""
