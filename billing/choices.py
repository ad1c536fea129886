from django.db import models
from django.utils.translation import gettext_lazy as _


class Currency(models.TextChoices):
    """Currencies plans are priced in (amounts are stored in minor units)."""

    EUR = "EUR", "EUR"
    RON = "RON", "RON"
    PLN = "PLN", "PLN"
    RSD = "RSD", "RSD"
    USD = "USD", "USD"


class Interval(models.TextChoices):
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Yearly")


class Provider(models.TextChoices):
    STRIPE = "stripe", _("Stripe")
    MANUAL = "manual", _("Bank transfer")


class SubscriptionStatus(models.TextChoices):
    """The provider-side state of a subscription (Stripe's vocabulary); it drives the tenant's status."""

    INCOMPLETE = "incomplete", _("Awaiting first payment")
    TRIALING = "trialing", _("Trial")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Past due")
    UNPAID = "unpaid", _("Unpaid")
    CANCELED = "canceled", _("Cancelled")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    VOID = "void", _("Void")
    UNCOLLECTIBLE = "uncollectible", _("Uncollectible")


class EventStatus(models.TextChoices):
    """Where the handling of a stored provider (Stripe) event stands."""

    PENDING = "pending", _("Pending")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    FAILED = "failed", _("Failed")


# Subscriptions that bring in revenue (counted in MRR).
PAYING_STATUSES = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE})
