from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

DEFAULT_MIN_SUPPORT = Decimal("1.000")
DEFAULT_MIN_CONFIDENCE = Decimal("50.00")


class BasketSettings(models.Model):
    """The tenant's one row of basket-analysis settings and state: the thresholds rules must reach
    and when the rules were last mined (from how many orders)."""

    min_support_percent = models.DecimalField(
        _("minimum support (%)"),
        max_digits=6,
        decimal_places=3,
        default=DEFAULT_MIN_SUPPORT,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("100"))],
        help_text=_("Share of orders that must contain all the rule's products."),
    )
    min_confidence_percent = models.DecimalField(
        _("minimum confidence (%)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_MIN_CONFIDENCE,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text=_("Share of the orders with the first products that also contain the others."),
    )
    computed_at = models.DateTimeField(_("data as of"), null=True, blank=True)
    transactions = models.PositiveIntegerField(_("orders analysed"), default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("basket analysis settings")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="analytics_basket_settings_single_row")]

    def __str__(self) -> str:
        return "basket analysis settings"


class BasketRule(models.Model):
    """One association rule ``antecedent → consequent`` (sorted product ids) with its measures.

    ``rule_count`` orders hold every product of both sides, ``antecedent_count`` those of the left
    side, ``consequent_count`` those of the right, out of ``transactions`` orders: support is
    rule_count / transactions, confidence rule_count / antecedent_count, lift confidence over the
    consequent's support. Replaced as a whole at each mining."""

    antecedent = ArrayField(models.BigIntegerField())
    consequent = ArrayField(models.BigIntegerField())
    support = models.FloatField(_("support"))
    confidence = models.FloatField(_("confidence"))
    lift = models.FloatField(_("lift"))
    rule_count = models.PositiveIntegerField()
    antecedent_count = models.PositiveIntegerField()
    consequent_count = models.PositiveIntegerField()
    transactions = models.PositiveIntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-lift", "-confidence", "id"]
        indexes = [
            GinIndex(fields=["antecedent"], name="analytics_basket_lhs_idx"),
            models.Index(fields=["-lift", "-confidence", "id"], name="analytics_basket_rank_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.antecedent} → {self.consequent}"

    @property
    def support_percent(self) -> float:
        return self.support * 100

    @property
    def confidence_percent(self) -> float:
        return self.confidence * 100
