from django.db import models
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    TWILIO = "twilio", _("Twilio")


class CallDirection(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class CallStatus(models.TextChoices):
    """Twilio's call statuses (the provider interface maps others onto these)."""

    QUEUED = "queued", _("Queued")
    RINGING = "ringing", _("Ringing")
    IN_PROGRESS = "in-progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    BUSY = "busy", _("Busy")
    NO_ANSWER = "no-answer", _("No answer")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Cancelled")


FINAL_CALL_STATUSES = (
    CallStatus.COMPLETED, CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.FAILED, CallStatus.CANCELED,
)  # fmt: skip


class SmsStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    UNDELIVERED = "undelivered", _("Not delivered")
    FAILED = "failed", _("Failed")


class SmsEvent(models.TextChoices):
    """Case events a tenant may have its customers told of by SMS."""

    CASE_OPENED = "case_opened", _("Case opened")
    AGENT_REPLIED = "agent_replied", _("An agent replied")
    CASE_SOLVED = "case_solved", _("Case solved")
