from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.contacts.money import CURRENCY_CHOICES
from modules.sales.choices import QuoteStatus
from modules.sales.models.priced_line import PERCENT, PricedLine


class Quote(models.Model):
    """A priced offer for a deal: lines, discounts and tax. Totals are stored, recomputed by the service."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    deal = models.ForeignKey("sales.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="quotes")
    company = models.ForeignKey(
        "contacts.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="quotes"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="quotes"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_quotes"
    )
    status = models.CharField(_("status"), max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    price_list = models.ForeignKey(
        "sales.PriceList", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT
    )
    notes = models.TextField(_("notes"), blank=True)
    subtotal = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    discount_total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    tax_total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class QuoteLine(PricedLine):
    """One priced line of a quote (the shared fields are ``PricedLine``'s)."""

    quote = models.ForeignKey("sales.Quote", on_delete=models.CASCADE, related_name="lines")

    class Meta:
        ordering = ["quote", "position", "id"]
