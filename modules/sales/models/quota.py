from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Quota(models.Model):
    """A rep's sales target for one month, in the tenant's base currency; team quotas are the members' sum."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quotas")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["month", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="sales_quota_unique_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="sales_quota_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.month:%Y-%m}: {self.amount}"
