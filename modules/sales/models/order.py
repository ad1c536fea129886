from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modules.contacts.money import CURRENCY_CHOICES
from modules.sales.choices import OrderStatus
from modules.sales.models.priced_line import PERCENT, PricedLine


class Order(models.Model):
    """A customer's confirmed purchase: lines in the order's currency, moving confirmed → fulfilled →
    invoiced → paid (or cancelled). Totals are stored and recomputed by ``services.orders``; each
    status change keeps its time. At most one order comes from a quote."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.CONFIRMED)
    company = models.ForeignKey(
        "contacts.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    deal = models.ForeignKey("sales.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="orders")
    quote = models.OneToOneField("sales.Quote", on_delete=models.SET_NULL, null=True, blank=True, related_name="order")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_orders"
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    ordered_on = models.DateField(_("order date"))
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT
    )
    notes = models.TextField(_("notes"), blank=True)
    subtotal = models.DecimalField(_("subtotal"), max_digits=16, decimal_places=2, default=Decimal("0"))
    discount_total = models.DecimalField(_("discount"), max_digits=16, decimal_places=2, default=Decimal("0"))
    tax_total = models.DecimalField(_("tax"), max_digits=16, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(_("total"), max_digits=16, decimal_places=2, default=Decimal("0"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled"), null=True, blank=True)
    invoiced_at = models.DateTimeField(_("invoiced"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # The tenant's custom fields by key (customization.fields validates); raw inserts get {}.
    custom = models.JSONField(_("custom fields"), default=dict, db_default={}, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-ordered_on", "-id"]
        indexes = [
            models.Index(fields=["owner", "id"], name="sales_order_owner_idx"),
            models.Index(fields=["company", "ordered_on"], name="sales_order_company_idx"),
            models.Index(fields=["contact", "ordered_on"], name="sales_order_contact_idx"),
            models.Index(fields=["status", "ordered_on"], name="sales_order_status_idx"),
            models.Index(fields=["ordered_on", "id"], name="sales_order_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="sales_order_total_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_editable(self) -> bool:
        """Lines, currency and discount change only before the order is fulfilled."""
        return self.status == OrderStatus.CONFIRMED


class OrderLine(PricedLine):
    """One priced line of an order (the shared fields are ``PricedLine``'s)."""

    order = models.ForeignKey("sales.Order", on_delete=models.CASCADE, related_name="lines")
    # The line's net after its discount (before the order discount and tax), kept for reports.
    net_amount = models.DecimalField(_("net amount"), max_digits=16, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["order", "position", "id"]
        indexes = [models.Index(fields=["product"], name="sales_orderline_product_idx")]
