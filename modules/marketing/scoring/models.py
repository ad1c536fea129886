"""Lead scoring's records. Scores live here, beside the contacts and leads they score (one row per
record), rather than as columns of those tables: scoring stays a part of the marketing module that
a tenant without it never writes, and the lists join the one row when they show or sort by it."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from modules.marketing.scoring.choices import BehaviourEvent, Decay, Operator, RuleKind, ScoredEntity

POINTS_LIMIT = 10_000


def _one_record() -> Q:
    return Q(contact__isnull=False, lead__isnull=True) | Q(contact__isnull=True, lead__isnull=False)


class ScoringRule(models.Model):
    """A fit rule (``field operator value`` on a contact or lead gives ``points``) or a behaviour
    rule (each ``event_type`` gives ``points``, at most ``cap_points`` per ``cap_days``, decaying)."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    points = models.IntegerField(
        _("points"), validators=[MinValueValidator(-POINTS_LIMIT), MaxValueValidator(POINTS_LIMIT)]
    )
    active = models.BooleanField(_("active"), default=True)
    # Fit rules: the record type and the field (``job_title``, ``company.industry``,
    # ``custom.<key>``, ``company.custom.<key>``; the catalogue is ``fields.fit_fields``).
    entity = models.CharField(_("record type"), max_length=20, choices=ScoredEntity.choices, blank=True)
    field = models.CharField(_("field"), max_length=80, blank=True)
    operator = models.CharField(_("operator"), max_length=10, choices=Operator.choices, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    # Behaviour rules.
    event_type = models.CharField(_("event"), max_length=60, choices=BehaviourEvent.choices, blank=True)
    cap_points = models.PositiveIntegerField(_("at most (points)"), null=True, blank=True)
    cap_days = models.PositiveIntegerField(
        _("per (days)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(3650)]
    )
    decay = models.CharField(_("decay"), max_length=10, choices=Decay.choices, default=Decay.NONE)
    decay_percent = models.PositiveSmallIntegerField(
        _("share lost (%)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    decay_days = models.PositiveIntegerField(
        _("every / after (days)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(3650)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name", "id"]
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")

    def __str__(self) -> str:
        return self.name


class ScoreThreshold(models.Model):
    """A named score (``MQL at 50``): reaching it fires the workflow trigger once per crossing."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    points = models.IntegerField(_("points"), validators=[MinValueValidator(1), MaxValueValidator(1_000_000)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["points", "id"]
        verbose_name = _("score threshold")
        verbose_name_plural = _("score thresholds")

    def __str__(self) -> str:
        return f"{self.name} ({self.points})"


class Score(models.Model):
    """A contact's or a lead's current score: fit + behaviour (decayed) = total, and a grade from
    the fit alone (A to D against the most the active fit rules can give)."""

    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="marketing_score"
    )
    lead = models.OneToOneField(
        "sales.Lead", on_delete=models.CASCADE, null=True, blank=True, related_name="marketing_score"
    )
    fit = models.IntegerField(_("fit"), default=0)
    behaviour = models.IntegerField(_("behaviour"), default=0)
    total = models.IntegerField(_("score"), default=0)
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["-total", "id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.CheckConstraint(condition=_one_record(), name="scoring_score_one_record")]
        indexes = [models.Index(fields=["total", "id"], name="scoring_score_total_idx")]

    def __str__(self) -> str:
        return str(self.total)


class ScoreEvent(models.Model):
    """The behaviour ledger: points one event gave one record under one rule. The decay settings
    are copied from the rule when the points are given, so a score is computed from this table
    alone (``services.compute``); ``source_event`` (the outbox event) makes a redelivery a no-op."""

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    lead = models.ForeignKey("sales.Lead", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    rule = models.ForeignKey(ScoringRule, on_delete=models.CASCADE, related_name="ledger")
    source_event = models.UUIDField()
    event_type = models.CharField(max_length=60)
    points = models.IntegerField()
    decay = models.CharField(max_length=10, choices=Decay.choices, default=Decay.NONE)
    decay_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    decay_days = models.PositiveIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("score event")
        verbose_name_plural = _("score events")
        constraints = [
            models.CheckConstraint(condition=_one_record(), name="scoring_event_one_record"),
            # One of contact and lead is always NULL (and NULLs never collide), hence one per column.
            models.UniqueConstraint(fields=["source_event", "rule", "contact"], name="scoring_event_contact_once"),
            models.UniqueConstraint(fields=["source_event", "rule", "lead"], name="scoring_event_lead_once"),
        ]
        indexes = [
            models.Index(fields=["contact", "occurred_at"], name="scoring_event_contact_idx"),
            models.Index(fields=["lead", "occurred_at"], name="scoring_event_lead_idx"),
            models.Index(fields=["occurred_at"], name="scoring_event_decay_idx", condition=~Q(decay=Decay.NONE)),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.points:+d}"


class ThresholdReached(models.Model):
    """A record at or above a threshold. The row is written when the score crosses upward (the
    trigger's event goes with it) and removed when it drops below, so the next crossing fires again."""

    threshold = models.ForeignKey(ScoreThreshold, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    lead = models.ForeignKey("sales.Lead", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    reached_at = models.DateTimeField()

    class Meta:
        ordering = ["-reached_at", "-id"]
        verbose_name = _("threshold reached")
        verbose_name_plural = _("thresholds reached")
        constraints = [
            models.CheckConstraint(condition=_one_record(), name="scoring_reached_one_record"),
            models.UniqueConstraint(fields=["threshold", "contact"], name="scoring_reached_contact_once"),
            models.UniqueConstraint(fields=["threshold", "lead"], name="scoring_reached_lead_once"),
        ]

    def __str__(self) -> str:
        return str(self.threshold)
