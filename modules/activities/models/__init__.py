from modules.activities.models.activity import Activity
from modules.activities.models.attendee import ActivityAttendee
from modules.activities.models.notification import CalendarFeed, Notification

__all__ = ["Activity", "ActivityAttendee", "CalendarFeed", "Notification"]
