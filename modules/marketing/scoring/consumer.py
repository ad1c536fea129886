"""Scores follow the outbox: behaviour events give points to the records they concern, record
changes re-run the fit rules, and only the records a batch touched are computed again (set-based,
``services.compute``). There is no sweep over every record; the one periodic task is the daily
decay (``tasks.apply_score_decay``), because time passing changes a decayed score and is no event.

Idempotent: a redelivered event finds its ledger rows already written (``scoring_event_*_once``)
and the recomputation writes the same score again."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from customization.events.models import DomainEvent
from modules.marketing.scoring.choices import BehaviourEvent, RuleKind, ScoredEntity
from modules.marketing.scoring.models import ScoringRule
from modules.marketing.scoring.services.compute import recompute
from modules.marketing.scoring.services.ledger import award_points, subjects_of

FIT_EVENTS: dict[str, str] = {
    "contact.created": ScoredEntity.CONTACT,
    "contact.updated": ScoredEntity.CONTACT,
    "lead.created": ScoredEntity.LEAD,
    "lead.updated": ScoredEntity.LEAD,
}


def consume(events: Sequence[DomainEvent]) -> None:
    relevant = [
        e for e in events if e.type in FIT_EVENTS or e.type in BehaviourEvent.values or e.type == "company.updated"
    ]
    if not relevant:
        return
    rules = list(ScoringRule.objects.filter(active=True))
    if not rules:
        return  # a tenant that scores nothing writes nothing
    touched: dict[str, set[int]] = defaultdict(set)
    behaviour = [rule for rule in rules if rule.kind == RuleKind.BEHAVIOUR]
    fit_entities = {rule.entity for rule in rules if rule.kind == RuleKind.FIT}
    for event in relevant:
        entity = FIT_EVENTS.get(event.type)
        if entity and entity in fit_entities:
            touched[entity].add(event.record_id)
    companies = [e.record_id for e in relevant if e.type == "company.updated"]
    if companies and ScoredEntity.CONTACT in fit_entities:
        from modules.contacts.models import Contact

        touched[ScoredEntity.CONTACT].update(
            Contact.objects.filter(company_id__in=companies).values_list("pk", flat=True)
        )
    behaviour_events = [e for e in relevant if e.type in BehaviourEvent.values]
    if behaviour and behaviour_events:
        subjects = subjects_of(behaviour_events)
        for event in behaviour_events:
            for entity, record_id in subjects.get(event.pk, ()):
                rules_for = [rule for rule in behaviour if rule.event_type == event.type]
                if rules_for and award_points(event, entity, record_id, rules_for):
                    touched[entity].add(record_id)
    for entity, ids in touched.items():
        recompute(entity, sorted(ids))
