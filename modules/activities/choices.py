from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    TASK = "task", _("Task")
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("E-mail")
    NOTE = "note", _("Note")


class ActivityStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class Outcome(models.TextChoices):
    SUCCESSFUL = "successful", _("Successful")
    UNSUCCESSFUL = "unsuccessful", _("Unsuccessful")
    NO_ANSWER = "no_answer", _("No answer")
    LEFT_MESSAGE = "left_message", _("Left a message")
    RESCHEDULED = "rescheduled", _("Rescheduled")


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    ASSIGNED = "assigned", _("Assigned to you")
    MENTIONED = "mentioned", _("Mentioned you")
    FOLLOWED = "followed", _("A record you follow changed")
    QUOTE_ANSWERED = "quote_answered", _("A customer answered your quote")
    DELIVERY_FAILED = "delivery_failed", _("A report could not be delivered")
    INCOMING_CALL = "incoming_call", _("Incoming call")
    SLA = "sla", _("A case's SLA target is near or missed")
    MAILBOX_BROKEN = "mailbox_broken", _("A connected mailbox stopped syncing")


class AttendeeRole(models.TextChoices):
    """ROLE of RFC 5545 §3.2.16; the organiser is a flag on the attendee row."""

    CHAIR = "chair", _("Chair")
    REQUIRED = "required", _("Required")
    OPTIONAL = "optional", _("Optional")
    NON_PARTICIPANT = "non", _("For information")


class Attendance(models.TextChoices):
    """PARTSTAT of RFC 5545 §3.2.12 for events, updated by iTIP replies and synced calendars."""

    NEEDS_ACTION = "needs_action", _("Not answered")
    ACCEPTED = "accepted", _("Accepted")
    TENTATIVE = "tentative", _("Tentative")
    DECLINED = "declined", _("Declined")
    DELEGATED = "delegated", _("Delegated")
