from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modules.sales.choices import StageKind


class Pipeline(models.Model):
    """A sales process: ordered stages a deal moves through. A tenant has any number."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0)
    is_default = models.BooleanField(_("default"), default=False)
    is_archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="sales_one_default_pipeline"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """A step of a pipeline with its default win probability, required deal fields and rotting threshold."""

    pipeline = models.ForeignKey("sales.Pipeline", on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=StageKind.choices, default=StageKind.OPEN)
    probability = models.PositiveSmallIntegerField(
        _("win probability (%)"), default=10, validators=[MaxValueValidator(100)]
    )
    required_fields = models.JSONField(_("required fields"), default=list, blank=True)
    rotting_days = models.PositiveSmallIntegerField(
        _("rotting after (days)"), null=True, blank=True, help_text=_("A deal idle this long is flagged.")
    )

    class Meta:
        ordering = ["pipeline", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(probability__lte=100), name="sales_stage_probability_range"),
            models.UniqueConstraint(fields=["pipeline", "name"], name="sales_stage_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class LostReason(models.Model):
    """Why deals are lost; the list is the tenant's own."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name
