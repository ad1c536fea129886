from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ValueRunStatus(models.TextChoices):
    FITTED = "fitted", _("Fitted")
    # Too few customers (or repeat purchases) to fit the models: historical values only.
    HISTORY_ONLY = "history", _("History only")


class CustomerValueRun(models.Model):
    """One computation of the customer values: when, over what, and the fitted parameters (BG/NBD
    r, α, a, b with time in days; Gamma-Gamma p, q, v). The newest run is the one shown."""

    computed_at = models.DateTimeField(_("computed"), db_index=True)
    # Orders up to this day count (the tenant's date when the run started).
    as_of = models.DateField(_("data as of"))
    status = models.CharField(_("status"), max_length=10, choices=ValueRunStatus.choices)
    message = models.CharField(_("message"), max_length=300, blank=True)
    customers = models.PositiveIntegerField(_("customers"), default=0)
    horizon_days = models.PositiveIntegerField(_("prediction horizon (days)"), default=365)
    r = models.FloatField(null=True, blank=True)
    alpha = models.FloatField(null=True, blank=True)
    a = models.FloatField(null=True, blank=True)
    b = models.FloatField(null=True, blank=True)
    p = models.FloatField(null=True, blank=True)
    q = models.FloatField(null=True, blank=True)
    v = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = _("customer value run")

    def __str__(self) -> str:
        return f"{self.as_of} ({self.status})"


class CustomerValue(models.Model):
    """A customer's value as of the newest run: the history its orders give (purchases, net value
    to date) and what BG/NBD with Gamma-Gamma predict over the run's horizon. Exactly one of
    ``company`` and ``contact`` is set (an order's customer); rows are replaced by every run."""

    company = models.OneToOneField(
        "contacts.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="customer_value"
    )
    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="customer_value"
    )
    orders = models.PositiveIntegerField(_("orders"))
    first_ordered_on = models.DateField(_("first order"))
    last_ordered_on = models.DateField(_("last order"))
    # Net of tax, base currency, all orders to date (orders without an exchange rate add nothing).
    historical_value = models.DecimalField(_("historical value"), max_digits=20, decimal_places=2)
    # The model's summary: repeat purchase days, days from the first to the last and to the run.
    repeat_purchases = models.PositiveIntegerField(_("repeat purchases"))
    recency_days = models.PositiveIntegerField()
    age_days = models.PositiveIntegerField()
    average_repeat_value = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    expected_purchases = models.FloatField(_("expected purchases"), null=True, blank=True)
    probability_alive = models.FloatField(_("probability alive"), null=True, blank=True)
    expected_value = models.DecimalField(
        _("expected value of a purchase"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    predicted_value = models.DecimalField(_("predicted value"), max_digits=20, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-historical_value", "id"]
        verbose_name = _("customer value")
        constraints = [
            models.CheckConstraint(
                condition=Q(company__isnull=False, contact__isnull=True)
                | Q(company__isnull=True, contact__isnull=False),
                name="customer_value_one_customer",
            )
        ]
        indexes = [models.Index(fields=["probability_alive"], name="customer_value_alive_idx")]

    def __str__(self) -> str:
        return f"{self.company or self.contact}: {self.historical_value}"
