from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Ten years: longer periods are "keep forever" in practice and would overflow date arithmetic
# nowhere, but a bound keeps the input honest.
MAX_MONTHS = 120


class RetentionRule(models.Model):
    """How long the tenant keeps one kind of record (``registry.RetentionTarget.key``)."""

    target = models.CharField(max_length=60, unique=True)
    months = models.PositiveSmallIntegerField(
        _("keep for (months)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_MONTHS)]
    )
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_deleted = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["target"]

    def __str__(self) -> str:
        return f"{self.target}: {self.months}"
