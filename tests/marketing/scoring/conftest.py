"""Scoring test helpers: rules made through the rule service, ledger rows at times relative to now."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

from django.utils import timezone

from identity.models import User
from modules.marketing.scoring.choices import Decay, RuleKind
from modules.marketing.scoring.models import ScoreEvent, ScoringRule
from modules.marketing.scoring.services.rules import save_rule
from tests.tenancy import ADMIN_EMAIL


def admin() -> User:
    return User.objects.get(email=ADMIN_EMAIL)


def fit_rule(entity: str, field: str, operator: str, value: str, points: int) -> ScoringRule:
    return save_rule(
        None,
        {"name": f"{field} {operator} {value}", "kind": RuleKind.FIT, "entity": entity, "field": field,
         "operator": operator, "value": value, "points": points},
        by=admin(),
    )  # fmt: skip


def behaviour_rule(event_type: str, points: int, **extra: Any) -> ScoringRule:
    return save_rule(
        None, {"name": event_type, "kind": RuleKind.BEHAVIOUR, "event_type": event_type, "points": points, **extra},
        by=admin(),
    )  # fmt: skip


def ledger_row(rule: ScoringRule, *, days_ago: float, points: int | None = None, **record: Any) -> ScoreEvent:
    return ScoreEvent.objects.create(
        rule=rule, source_event=uuid4(), event_type=rule.event_type, points=rule.points if points is None else points,
        decay=rule.decay or Decay.NONE, decay_percent=rule.decay_percent, decay_days=rule.decay_days,
        occurred_at=timezone.now() - timedelta(days=days_ago), **record,
    )  # fmt: skip
