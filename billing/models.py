"""Plans, prices, subscriptions, invoices and provider events (all in the public schema).

A tenant has at most one ``Subscription``; its plan (plus the operator's overrides) decides the
tenant's modules and limits (``billing.entitlements``). Amounts are integers in the currency's
minor unit, as Stripe has them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from billing.choices import Currency, EventStatus, Interval, InvoiceStatus, Provider, SubscriptionStatus


class Plan(models.Model):
    """What a subscription buys: modules, limits and a price per seat in each currency and interval.

    A limit left empty means "no limit".
    """

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    modules = models.JSONField(_("modules"), default=list, blank=True, help_text=_("Optional modules included."))
    seat_limit = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    record_limit = models.PositiveIntegerField(_("records"), null=True, blank=True)
    api_requests_per_day = models.PositiveIntegerField(_("API requests per day"), null=True, blank=True)
    storage_limit_mb = models.PositiveIntegerField(_("storage (MB)"), null=True, blank=True)
    workflow_runs_per_month = models.PositiveIntegerField(_("workflow runs per month"), null=True, blank=True)
    marketing_emails_per_month = models.PositiveIntegerField(_("marketing e-mails per month"), null=True, blank=True)
    trial_days = models.PositiveSmallIntegerField(_("trial days"), default=14)
    trial_requires_card = models.BooleanField(
        _("trial requires a card"), default=False, help_text=_("Otherwise a trial starts without payment details.")
    )
    is_public = models.BooleanField(_("offered on the public site"), default=True)
    is_active = models.BooleanField(_("open to new subscriptions"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class PlanPrice(models.Model):
    """The price of one seat of a plan for one billing interval, in one currency."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    interval = models.CharField(_("interval"), max_length=5, choices=Interval.choices)
    seat_amount = models.PositiveIntegerField(_("price per seat"), help_text=_("In the currency's minor unit."))
    stripe_price_id = models.CharField(_("Stripe price"), max_length=100, blank=True)

    class Meta:
        ordering = ["plan", "currency", "interval"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "currency", "interval"], name="billing_price_unique_per_plan"),
            models.UniqueConstraint(
                fields=["stripe_price_id"], condition=~models.Q(stripe_price_id=""), name="billing_price_stripe_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.currency}/{self.interval}"

    @property
    def monthly_seat_amount(self) -> int:
        return self.seat_amount if self.interval == Interval.MONTH else round(self.seat_amount / 12)


class Subscription(models.Model):
    """A tenant's subscription, mirrored from its provider (Stripe) or kept here (manual)."""

    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.CASCADE, related_name="subscription")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    provider = models.CharField(_("provider"), max_length=10, choices=Provider.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=SubscriptionStatus.choices, default=SubscriptionStatus.TRIALING
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR)
    interval = models.CharField(_("interval"), max_length=5, choices=Interval.choices, default=Interval.MONTH)
    seats = models.PositiveIntegerField(_("billed seats"), default=1)
    # Operator overrides on top of the plan: {"add": [module keys], "remove": [module keys]} and
    # {"seat_limit": 50, ...} (a limit key of Plan with a number, or null for "no limit").
    module_overrides = models.JSONField(default=dict, blank=True)
    limit_overrides = models.JSONField(default=dict, blank=True)

    trial_ends_at = models.DateTimeField(null=True, blank=True)
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    # The operator suspended the tenant (console); the provider's news does not lift it.
    suspended_by_operator = models.BooleanField(default=False)
    past_due_since = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # When a cancelled tenant's data is deleted (end of the retention period).
    delete_after = models.DateTimeField(null=True, blank=True)

    stripe_customer_id = models.CharField(max_length=100, blank=True)
    stripe_subscription_id = models.CharField(max_length=100, blank=True)
    # The provider's own timestamp of the state mirrored here; older news never overwrites newer.
    provider_updated_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_subscription_id"],
                condition=~models.Q(stripe_subscription_id=""),
                name="billing_subscription_stripe_unique",
            ),
        ]
        indexes = [models.Index(fields=["stripe_customer_id"], name="billing_sub_customer_idx")]

    def __str__(self) -> str:
        return f"{self.tenant} — {self.plan} ({self.status})"


class SubscriptionChange(models.Model):
    """One state of a subscription over time (status, plan, seats, monthly amount): the history the
    console's MRR, churn, trial conversion and seat charts are computed from."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=12, choices=SubscriptionStatus.choices)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    seats = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, choices=Currency.choices)
    # Monthly recurring revenue of this state in the currency's minor unit (0 unless paying).
    mrr_amount = models.PositiveBigIntegerField(default=0)
    actor = models.CharField(max_length=254, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["subscription", "at"], name="billing_change_sub_at_idx")]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.at:%Y-%m-%d} {self.status}"


class Invoice(models.Model):
    """An invoice: Stripe's (mirrored) or the manual provider's (bank transfer, marked paid by the operator)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="invoices")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    number = models.CharField(_("number"), max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=14, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    amount_due = models.PositiveBigIntegerField(_("amount due"))
    amount_paid = models.PositiveBigIntegerField(_("amount paid"), default=0)
    description = models.CharField(max_length=300, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # Manual provider: who marked it paid, and the bank's reference.
    marked_paid_by = models.CharField(max_length=254, blank=True)
    payment_reference = models.CharField(max_length=200, blank=True)
    # Stripe: the invoice's id and page, and the last failed payment.
    stripe_invoice_id = models.CharField(max_length=100, blank=True)
    hosted_invoice_url = models.URLField(max_length=500, blank=True)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    last_payment_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_invoice_id"],
                condition=~models.Q(stripe_invoice_id=""),
                name="billing_invoice_stripe_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class StripeEvent(models.Model):
    """A webhook event from Stripe, stored (unique by id) before it is handled."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    api_version = models.CharField(max_length=40, blank=True)
    livemode = models.BooleanField(default=False)
    created = models.DateTimeField(help_text=_("When Stripe created the event."))
    object_id = models.CharField(max_length=100, blank=True, db_index=True)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=EventStatus.choices, default=EventStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class PlatformSettings(models.Model):
    """The operator's own settings for the whole platform: one row (``id`` 1), edited in the console."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    bank_details = models.TextField(
        _("bank details"),
        max_length=2000,
        blank=True,
        help_text=_("The account customers pay bank transfer invoices into: holder, bank, IBAN, one a line."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="billing_platform_settings_single_row")]

    def __str__(self) -> str:
        return str(_("Platform settings"))
