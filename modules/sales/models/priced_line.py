from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class PricedLine(models.Model):
    """What a quote line and an order line share: a product (optional), a description and the
    price — quantity × unit price less the line's discount, taxed at its rate. Totals are computed
    from these fields by ``services.quotes.compute_totals`` for both kinds of document; a concrete
    line adds the foreign key to its document."""

    position = models.PositiveIntegerField(default=0)
    product = models.ForeignKey("sales.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    description = models.CharField(_("description"), max_length=1000)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT
    )

    # The fields a line's form and APIs edit, in the order they show.
    EDITABLE_FIELDS = ("product", "description", "quantity", "unit_price", "discount_percent", "tax_rate")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.description
