from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from modules.contacts.money import CURRENCY_CHOICES


class ExchangeRate(models.Model):
    """How much one unit of ``currency`` is worth in the tenant's base currency from a date on.

    Reports convert an amount with the latest rate dated on or before the amount's date.
    """

    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    rate = models.DecimalField(
        _("rate"), max_digits=18, decimal_places=8, validators=[MinValueValidator(Decimal("0.00000001"))]
    )
    valid_from = models.DateField(_("valid from"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="contacts_rate_unique_per_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="contacts_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} from {self.valid_from}"
