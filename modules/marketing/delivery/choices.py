from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RecipientState(models.TextChoices):
    """Where one recipient's message is. ``held`` waits for an A/B test's winner; ``sending`` is
    claimed by a worker; ``unconfirmed``: a worker died while handing the message over, so the
    server may or may not have it — never sent again by itself, only when a marketer asks (see
    ``services/engine.py``)."""

    HELD = "held", _("Waiting for the A/B winner")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", pgettext_lazy("marketing recipient", "Sending")
    SENT = "sent", pgettext_lazy("marketing recipient", "Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")
    BOUNCED = "bounced", _("Bounced")
    COMPLAINED = "complained", _("Complained")
    CANCELLED = "cancelled", _("Cancelled")
    UNCONFIRMED = "unconfirmed", _("Unconfirmed")


# States a message has left the building in.
HANDED_OVER = (RecipientState.SENT, RecipientState.DELIVERED, RecipientState.BOUNCED, RecipientState.COMPLAINED)
# States a message may have left the building in: what the plan's monthly count holds.
MAYBE_HANDED_OVER = (*HANDED_OVER, RecipientState.UNCONFIRMED)
# States the engine still has work for.
PENDING = (RecipientState.HELD, RecipientState.QUEUED, RecipientState.SENDING)


class SkipReason(models.TextChoices):
    SUPPRESSED = "suppressed", _("Suppressed address")
    UNSUBSCRIBED = "unsubscribed", _("Not subscribed to the topic")
    NO_ADDRESS = "no_address", _("No e-mail address")


class Variant(models.TextChoices):
    A = "a", _("Subject A")
    B = "b", _("Subject B")


class SendStatus(models.TextChoices):
    SENDING = "sending", pgettext_lazy("marketing send", "Sending")
    TESTING = "testing", _("A/B test running")
    SENT = "sent", pgettext_lazy("marketing send", "Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Provider(models.TextChoices):
    POSTMARK = "postmark", "Postmark"
    MAILGUN = "mailgun", "Mailgun"
