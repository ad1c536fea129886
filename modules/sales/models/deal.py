from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.contacts.models.managers import SearchableManager
from modules.contacts.money import CURRENCY_CHOICES
from modules.sales.choices import DealStatus


class Deal(models.Model):
    """An opportunity to sell, moving through the stages of one pipeline until won or lost.

    ``probability`` overrides the stage's default when set. ``stage_entered_at`` and
    ``last_activity_at`` drive rotting: an open deal idle longer than its stage allows is flagged.
    """

    name = models.CharField(_("name"), max_length=200)
    pipeline = models.ForeignKey("sales.Pipeline", on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey("sales.Stage", on_delete=models.PROTECT, related_name="deals")
    status = models.CharField(_("status"), max_length=10, choices=DealStatus.choices, default=DealStatus.OPEN)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    probability = models.PositiveSmallIntegerField(
        _("win probability (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Leave empty to use the stage's probability."),
    )
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_deals"
    )
    company = models.ForeignKey(
        "contacts.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="deals"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="deals"
    )
    lead = models.ForeignKey("sales.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="deals")
    tags = models.ManyToManyField("contacts.Tag", blank=True, related_name="deals")
    description = models.TextField(_("description"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    lost_reason = models.ForeignKey(
        "sales.LostReason", on_delete=models.PROTECT, null=True, blank=True, related_name="deals"
    )
    lost_note = models.TextField(_("why it was lost"), blank=True)
    stage_entered_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    # Where a user dragged the card within its stage on the board; null (a deal new to the stage)
    # sorts first. Moving the deal to another stage clears it.
    board_position = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The tenant's custom fields by key (customization.fields validates); raw inserts get {}.
    custom = models.JSONField(_("custom fields"), default=dict, db_default={}, blank=True)
    search_vector = models.GeneratedField(
        expression=SearchVector("name", weight="A", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = SearchableManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["pipeline", "stage", "status"], name="sales_deal_board_idx"),
            models.Index(fields=["owner", "id"], name="sales_deal_owner_idx"),
            models.Index(fields=["status", "expected_close_date"], name="sales_deal_forecast_idx"),
            models.Index(fields=["closed_at"], name="sales_deal_closed_idx"),
            # The deals list's default order (recently updated first), read backwards.
            models.Index(fields=["updated_at", "id"], name="sales_deal_updated_idx"),
            GinIndex(fields=["search_vector"], name="sales_deal_search_idx"),
            GinIndex(OpClass(Lower("name"), name="gin_trgm_ops"), name="sales_deal_name_trgm"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="sales_deal_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(probability__isnull=True) | Q(probability__lte=100), name="sales_deal_probability_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_probability(self) -> int:
        if self.status == DealStatus.WON:
            return 100
        if self.status == DealStatus.LOST:
            return 0
        return self.probability if self.probability is not None else self.stage.probability

    @property
    def weighted_amount(self) -> Decimal:
        return (self.amount * self.effective_probability / 100).quantize(Decimal("0.01"))

    def is_rotting(self, now: datetime | None = None) -> bool:
        days = self.stage.rotting_days
        if self.status != DealStatus.OPEN or not days:
            return False
        idle_since = max(filter(None, [self.stage_entered_at, self.last_activity_at]))
        return ((now or timezone.now()) - idle_since).days >= days


class DealStageChange(models.Model):
    """One move of a deal between stages (or pipelines): the history behind cycle length and funnels."""

    deal = models.ForeignKey("sales.Deal", on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey("sales.Stage", on_delete=models.SET_NULL, null=True, related_name="+")
    to_stage = models.ForeignKey("sales.Stage", on_delete=models.SET_NULL, null=True, related_name="+")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    # Why the deal was lost, on a move into a lost stage (the reason given) or out of one (the
    # reason it had there), so taking the move back restores the reason instead of asking again.
    lost_reason = models.ForeignKey("sales.LostReason", on_delete=models.SET_NULL, null=True, related_name="+")
    lost_note = models.TextField(blank=True, default="", db_default="")  # rows written by COPY too

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["deal", "-changed_at"], name="sales_stage_change_deal_idx"),
            models.Index(fields=["changed_by", "changed_at"], name="sales_stage_change_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} → {self.to_stage_id}"
