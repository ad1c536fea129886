from django.db import models
from django.utils.translation import gettext_lazy as _


class ConnectionState(models.TextChoices):
    """``active`` syncs every minute; ``failing`` waits longer after each failed run (the server
    could not be reached or answered with an error); ``broken`` stopped: the server refused the
    credentials or the calendar is gone, and only the user can mend it (connect again)."""

    ACTIVE = "active", _("Syncing")
    FAILING = "failing", _("Retrying after an error")
    BROKEN = "broken", _("Stopped")


class CalendarKind(models.TextChoices):
    CALDAV = "caldav", _("CalDAV")
    MICROSOFT = "microsoft", _("Microsoft 365 / Outlook.com")
    GOOGLE = "google", _("Google Calendar")


class ConflictWinner(models.TextChoices):
    CALENDAR = "calendar", _("The change made in the calendar was kept")
    CRM = "crm", _("The change made here was kept")
