"""Reading scores: a record the reader may see, and its score with the points behind it."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q, QuerySet

from identity.models import User
from modules.marketing.scoring.choices import RuleKind
from modules.marketing.scoring.fields import rule_condition
from modules.marketing.scoring.models import Score, ScoreEvent, ScoringRule

RECENT_POINTS = 20


def visible_record(user: User, subject: str, pk: int) -> Model | None:
    """The contact or lead ``pk`` when ``user`` may open it (the sales module too, for a lead)."""
    if subject == "contact":
        from modules.contacts.selectors.lists import visible_contacts

        return visible_contacts(user).filter(pk=pk).first()
    if subject == "lead":
        from django.db import connection

        from modules.registry import is_enabled
        from modules.sales.selectors.deals import visible_leads

        if not (is_enabled(getattr(connection, "tenant", None), "sales") and user.has_perm("sales.view")):
            return None
        return visible_leads(user).filter(pk=pk).first()
    return None


def visible_scores(user: User) -> QuerySet[Score]:
    """The scores of the contacts ``user`` may see and, with the sales module and ``sales.view``,
    of the leads (the lists and the APIs)."""
    from django.db import connection

    from modules.contacts.selectors.lists import visible_contacts
    from modules.registry import is_enabled
    from modules.sales.selectors.deals import visible_leads

    shown = Q(contact__in=visible_contacts(user).values("pk"))
    if is_enabled(getattr(connection, "tenant", None), "sales") and user.has_perm("sales.view"):
        shown |= Q(lead__in=visible_leads(user).values("pk"))
    return Score.objects.filter(shown).select_related("contact", "lead").order_by("id")


def breakdown(subject: str, record: Model) -> dict[str, Any]:
    """The score, the fit rules the record meets now and its latest behaviour points: one query
    for the matching fit rules (a CASE per rule), one for the score, one for the ledger."""
    score = Score.objects.filter(**{subject: record}).first()
    rules = list(ScoringRule.objects.filter(kind=RuleKind.FIT, entity=subject, active=True).order_by("id"))
    met: list[ScoringRule] = []
    if rules:
        from django.db.models import BooleanField, Case, Value, When

        model = type(record)
        flags = {
            f"r{rule.pk}": Case(When(rule_condition(subject, rule.field, rule.operator, rule.value), then=Value(True)),
                                default=Value(False), output_field=BooleanField())
            for rule in rules
        }  # fmt: skip
        row = model.objects.filter(pk=record.pk).annotate(**flags).values(*flags).first() or {}  # type: ignore[attr-defined]
        met = [rule for rule in rules if row.get(f"r{rule.pk}")]
    recent = list(
        ScoreEvent.objects.filter(**{subject: record})
        .select_related("rule")
        .order_by("-occurred_at", "-id")[:RECENT_POINTS]
    )
    return {"score": score, "fit_rules": met, "recent_points": recent}
