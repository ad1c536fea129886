from django.db import models
from django.utils.translation import gettext_lazy as _


class DisabledReason(models.TextChoices):
    """Why an endpoint stopped receiving deliveries."""

    MANUAL = "manual", _("Switched off by an admin")
    GONE = "gone", _("The endpoint answered 410 Gone")
    FAILING = "failing", _("Deliveries kept failing")
    REFUSED_ADDRESS = "refused_address", _("The URL resolves to an internal address")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class AttemptTrigger(models.TextChoices):
    """What started an attempt: the schedule, or an admin's replay."""

    SCHEDULED = "scheduled", _("Scheduled")
    REPLAY = "replay", _("Replay")
