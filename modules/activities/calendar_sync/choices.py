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


class PartialReason(models.TextChoices):
    """Why a meeting's rule is in Outlook as its first occurrence only (``graph_patterns`` limits;
    ``SyncedEvent.written_pattern["partial"]``)."""

    FREQUENT = "frequent", _("it repeats every minute or every second, more often than Outlook can hold")
    TIMES = "times", _("it has more than 48 times a day, and Outlook needs a series for each")
    OCCURRENCES = "occurrences", _("it has more than 20,000 occurrences in a year")
    EXTRA = "extra", _("Outlook's nearest pattern would need more than 2,000 occurrences deleted")
