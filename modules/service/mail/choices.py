from django.db import models
from django.utils.translation import gettext_lazy as _


class ImapSecurity(models.TextChoices):
    TLS = "tls", _("TLS (IMAPS, usually port 993)")
    STARTTLS = "starttls", _("STARTTLS (usually port 143)")
    NONE = "none", _("None (only inside a trusted network)")


class InboundOutcome(models.TextChoices):
    """What the intake did with a received e-mail."""

    OPENED = "opened", _("Opened a case")
    THREADED = "threaded", _("Added to a case")
    IGNORED = "ignored", _("Ignored (automatic mail)")
    REJECTED = "rejected", _("Rejected (unreadable)")


class OutboundKind(models.TextChoices):
    REPLY = "reply", _("Agent reply")
    ACKNOWLEDGEMENT = "ack", _("Acknowledgement")


class OutboundState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
