"""Writing scoring rules and thresholds (the only writers). A rule is checked by compiling it
(``fields.rule_condition``), so a rule that saves is a rule the SQL can run."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.input_bounds import text_problem
from identity.models import User
from modules.marketing.scoring.choices import Decay, RuleKind
from modules.marketing.scoring.fields import rule_condition
from modules.marketing.scoring.models import ScoreThreshold, ScoringRule

RULE_FIELDS = (
    "name", "kind", "points", "active", "entity", "field", "operator", "value", "event_type",
    "cap_points", "cap_days", "decay", "decay_percent", "decay_days",
)  # fmt: skip


def _check_text(values: dict[str, Any]) -> None:
    problems = {
        key: [problem] for key, value in values.items() if isinstance(value, str) and (problem := text_problem(value))
    }
    if problems:
        raise ValidationError(problems)


def _clean(rule: ScoringRule) -> None:
    rule.full_clean(exclude=["created_by"])
    errors: dict[str, list[str]] = {}
    if rule.kind == RuleKind.FIT:
        for required in ("entity", "field", "operator"):
            if not getattr(rule, required):
                errors[required] = [_("This field is required.")]
        if not errors:
            rule_condition(rule.entity, rule.field, rule.operator, rule.value)
        rule.event_type, rule.cap_points, rule.cap_days = "", None, None
        rule.decay, rule.decay_percent, rule.decay_days = Decay.NONE, None, None
    else:
        if not rule.event_type:
            errors["event_type"] = [_("This field is required.")]
        if (rule.cap_points is None) != (rule.cap_days is None):
            errors["cap_days" if rule.cap_days is None else "cap_points"] = [
                _("A cap needs both its points and its period.")
            ]
        if rule.decay != Decay.NONE and not rule.decay_days:
            errors["decay_days"] = [_("Say after how many days the points decay.")]
        if rule.decay == Decay.PERCENT and not rule.decay_percent:
            errors["decay_percent"] = [_("Say which share of the points is lost.")]
        rule.entity, rule.field, rule.operator, rule.value = "", "", "", ""
        if rule.decay != Decay.PERCENT:
            rule.decay_percent = None
        if rule.decay == Decay.NONE:
            rule.decay_days = None
    if errors:
        raise ValidationError(errors)


def save_rule(rule: ScoringRule | None, values: dict[str, Any], *, by: User) -> ScoringRule:
    """Create (``rule`` None) or change a scoring rule from ``values``; ValidationError names the field.
    Scores follow on the next "Recalculate all" or as records change."""
    _check_text(values)
    rule = rule or ScoringRule(created_by=by)
    for key in RULE_FIELDS:
        if key in values:
            setattr(rule, key, values[key])
    _clean(rule)
    with transaction.atomic():
        rule.save()
    return rule


def delete_rule(rule: ScoringRule, *, by: User) -> None:
    """Remove a rule and the behaviour points it gave (the ledger rows go with it)."""
    with transaction.atomic():
        rule.delete()


def create_threshold(*, name: str, points: Any, by: User) -> ScoreThreshold:
    _check_text({"name": name})
    threshold = ScoreThreshold(name=(name or "").strip(), points=points)
    threshold.full_clean()
    with transaction.atomic():
        threshold.save()
    return threshold


def delete_threshold(threshold: ScoreThreshold, *, by: User) -> None:
    with transaction.atomic():
        threshold.delete()


def start_recalculation(*, by: User) -> None:
    """Reprice the ledger to the rules as they are, then recompute every score in the background."""
    from modules.marketing.scoring.services.recalculation import reprice_ledger
    from modules.marketing.scoring.tasks import schedule_recalculation

    with transaction.atomic():
        reprice_ledger()
        schedule_recalculation()


def create_rule(*, by: User, **values: Any) -> ScoringRule:
    """A new rule from named values (the API's writes), checked as ``save_rule`` checks."""
    return save_rule(None, values, by=by)


def update_rule(rule: ScoringRule, *, by: User, **values: Any) -> ScoringRule:
    """Change the named values of ``rule``, keeping the others."""
    return save_rule(rule, values, by=by)
