from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modules.contacts.money import CURRENCY_CHOICES


class Product(models.Model):
    """Something the tenant sells, with its list price and tax rate."""

    name = models.CharField(_("name"), max_length=200)
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("e.g. pcs, hour, licence"))
    unit_price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sku"], condition=~Q(sku=""), name="sales_product_unique_sku"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="sales_product_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class PriceList(models.Model):
    """Prices for a market or customer group, in one currency; products not listed use their list price."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    is_active = models.BooleanField(_("active"), default=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PriceListItem(models.Model):
    price_list = models.ForeignKey("sales.PriceList", on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("sales.Product", on_delete=models.CASCADE, related_name="price_list_items")
    unit_price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["price_list", "product"]
        constraints = [models.UniqueConstraint(fields=["price_list", "product"], name="sales_price_list_item_unique")]

    def __str__(self) -> str:
        return f"{self.product} in {self.price_list}"
