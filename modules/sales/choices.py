from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class DealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")
    CONVERTED = "converted", _("Converted")


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")


class QuoteAnswer(models.TextChoices):
    """What the customer answered on a quote's public page."""

    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


# Deal fields a stage may require before a deal enters it.
STAGE_REQUIRABLE_FIELDS = {
    "amount": _("Amount"),
    "expected_close_date": _("Expected close date"),
    "company": _("Company"),
    "contact": _("Contact"),
    "description": _("Description"),
}


class OrderStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    FULFILLED = "fulfilled", _("Fulfilled")
    INVOICED = "invoiced", _("Invoiced")
    PAID = "paid", pgettext_lazy("order status", "Paid")
    CANCELLED = "cancelled", _("Cancelled")
