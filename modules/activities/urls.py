from django.urls import path

from modules.activities.views import activities, attendees, calendar, home, notifications, occurrences, scheduling

app_name = "activities"

urlpatterns = [
    path("activities/", activities.activity_list, name="activity-list"),
    path("activities/bulk/", activities.activity_bulk, name="activity-bulk"),
    path("activities/views/", activities.activity_view_save, name="activity-view-save"),
    path("activities/views/<int:pk>/delete/", activities.activity_view_delete, name="activity-view-delete"),
    path("activities/new/", activities.activity_create, name="activity-create"),
    path("activities/attendee-suggestions/", scheduling.attendee_suggestions, name="attendee-suggestions"),
    path("activities/free-busy/", scheduling.free_busy, name="free-busy"),
    path("activities/<int:pk>/occurrences/<int:stamp>/edit/", occurrences.occurrence_edit, name="occurrence-edit"),
    path(
        "activities/<int:pk>/occurrences/<int:stamp>/delete/", occurrences.occurrence_delete, name="occurrence-delete"
    ),
    path("activities/<int:pk>/", activities.activity_detail, name="activity-detail"),
    path("activities/<int:pk>/edit/", activities.activity_edit, name="activity-edit"),
    path("activities/<int:pk>/complete/", activities.activity_complete, name="activity-complete"),
    path("activities/<int:pk>/done/", activities.activity_quick_complete, name="activity-quick-complete"),
    path("activities/<int:pk>/cancel/", activities.activity_cancel, name="activity-cancel"),
    path("activities/<int:pk>/delete/", activities.activity_delete, name="activity-delete"),
    path("activities/<int:pk>/attendees/", attendees.attendee_add, name="attendee-add"),
    path("activities/<int:pk>/attendees/<int:attendee_pk>/remove/", attendees.attendee_remove, name="attendee-remove"),
    path("activities/<int:pk>/invitations/", attendees.invitations_send, name="invitations-send"),
    path("activities/<int:pk>/reschedule/", calendar.reschedule, name="activity-reschedule"),
    path("home/activities/<int:pk>/done/", home.home_complete, name="home-complete"),
    path("home/activities/<int:pk>/reschedule/", home.home_reschedule, name="home-reschedule"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/events/", calendar.calendar_events, name="calendar-events"),
    path("calendar/import/", calendar.calendar_import, name="calendar-import"),
    path("calendar/feed/reset/", calendar.calendar_feed_reset, name="calendar-feed-reset"),
    path("calendar/feed/<str:token>.ics", calendar.calendar_feed, name="calendar-feed"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/bell/", notifications.notification_bell, name="notification-bell"),
    path("notifications/read-all/", notifications.notification_read_all, name="notification-read-all"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification-read"),
]
