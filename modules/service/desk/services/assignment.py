"""Assignment rules: who gets a case that arrives without an agent.

``apply_rules`` runs as a case hook (registered as "assignment") after a case is created without an
agent, and after an unassigned case moves to another queue. The first active rule whose conditions
hold picks an agent among the active members of its queue (the case's own queue when the rule
names none): round robin after the member it picked last, the member with the fewest open cases,
or a fixed agent. The case is then updated through ``update_case``, so the choice shows on the
timeline and the outbox like any other change.

Round robin reads and moves its pointer (``AssignmentRule.last_agent``) under a row lock held until
the case's transaction commits, so concurrent cases each get the next member.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from identity.models import Team, User
from modules.contacts.services.records import check_fields, validated
from modules.service import settings_events as events
from modules.service.desk.choices import AssignmentMethod
from modules.service.desk.models import AssignmentRule
from modules.service.hooks import CaseChange, register_case_hook
from modules.service.models import Case
from modules.service.models.case import active_case
from modules.service.services.cases import update_case

RULE_FIELDS = ("name", "is_active", "category", "language", "channel", "priority", "team", "method", "queue", "agent")


def _check_rule(rule: AssignmentRule) -> None:
    rule.language = (rule.language or "").strip().lower()
    if rule.method == AssignmentMethod.FIXED and rule.agent_id is None:
        raise ValidationError({"agent": [_("Choose the agent who gets the cases.")]})
    if rule.method != AssignmentMethod.FIXED:
        rule.agent = None
    validated(rule)


def create_rule(*, by: User | None = None, **values: Any) -> AssignmentRule:
    check_fields(AssignmentRule, values, RULE_FIELDS)
    rule = AssignmentRule(**values)
    _check_rule(rule)
    with transaction.atomic():
        last = AssignmentRule.objects.aggregate(last=Max("position"))["last"]
        rule.position = 0 if last is None else last + 1
        rule.save()
        events.record_created(events.ASSIGNMENT_RULE, rule, by=by)
    return rule


def update_rule(rule: AssignmentRule, *, by: User | None = None, **values: Any) -> AssignmentRule:
    check_fields(AssignmentRule, values, RULE_FIELDS)
    before = events.snapshot(rule, RULE_FIELDS)
    for name, value in values.items():
        setattr(rule, name, value)
    _check_rule(rule)
    with transaction.atomic():
        rule.save()
        fields = events.changed(before, events.snapshot(rule, RULE_FIELDS))
        events.record_updated(events.ASSIGNMENT_RULE, rule, by=by, fields=fields)
    return rule


def delete_rule(rule: AssignmentRule, *, by: User | None = None) -> None:
    with transaction.atomic():
        events.record_deleted(events.ASSIGNMENT_RULE, rule, by=by, name=rule.name)
        rule.delete()


MAX_RULES_IN_ORDER = 1000


def reorder_rules(*, order: Sequence[object], by: User | None = None) -> list[AssignmentRule]:
    """Try the rules in ``order`` (every rule's id once, first tried first); the rules in their new
    order. Each rule whose place changed writes ``assignment_rule.updated`` naming ``position``."""
    if isinstance(order, (str, bytes)) or len(order) > MAX_RULES_IN_ORDER:
        raise ValidationError({"order": [_("List every rule's id once, in the order they are tried.")]})
    try:
        ids = [int(str(pk)) for pk in order]
    except ValueError:
        raise ValidationError({"order": [_("The order lists an unknown rule.")]}) from None
    with transaction.atomic():
        rules = {rule.pk: rule for rule in AssignmentRule.objects.select_for_update().order_by("pk")}
        if sorted(ids) != sorted(rules):
            raise ValidationError({"order": [_("The order must list every rule once.")]})
        moved = [rules[pk] for position, pk in enumerate(ids) if rules[pk].position != position]
        for position, pk in enumerate(ids):
            rules[pk].position = position
        AssignmentRule.objects.bulk_update(moved, ["position"])
        for rule in moved:
            events.record_updated(events.ASSIGNMENT_RULE, rule, by=by, fields=["position"])
    return [rules[pk] for pk in ids]


def _matches(rule: AssignmentRule, case: Case) -> bool:
    return (
        (rule.category_id is None or rule.category_id == case.category_id)
        and (not rule.language or (case.language or "").lower().split("-")[0] == rule.language.split("-")[0])
        and (not rule.channel or rule.channel == case.channel)
        and (not rule.priority or rule.priority == case.priority)
        and (rule.team_id is None or rule.team_id == case.team_id)
    )


def _members(team_id: int | None) -> list[int]:
    if team_id is None:
        return []
    return list(
        User.objects.filter(teams=team_id, is_active=True).order_by("id").values_list("pk", flat=True).distinct()
    )


def _round_robin(rule: AssignmentRule, members: list[int]) -> int:
    """The member after the one picked last (in id order, wrapping round); the caller holds the lock."""
    after = [pk for pk in members if rule.last_agent_id is not None and pk > rule.last_agent_id]
    chosen = after[0] if after else members[0]
    AssignmentRule.objects.filter(pk=rule.pk).update(last_agent=chosen)
    return chosen


def _least_loaded(members: list[int]) -> int:
    """The member with the fewest open cases (the lowest id among equals), in one query."""
    loads = dict(
        Case.objects.filter(active_case(), owner__in=members)
        .values("owner")
        .annotate(n=Count("pk"))
        .values_list("owner", "n")
    )
    return min(members, key=lambda pk: (loads.get(pk, 0), pk))


def choose_agent(case: Case) -> tuple[AssignmentRule, int, int | None] | None:
    """The rule that applies to ``case``, the agent it picks and the queue it picks in (or None)."""
    for rule in AssignmentRule.objects.filter(is_active=True):
        if not _matches(rule, case):
            continue
        queue_id = rule.queue_id or case.team_id
        if rule.method == AssignmentMethod.FIXED:
            if rule.agent_id is None or not User.objects.filter(pk=rule.agent_id, is_active=True).exists():
                continue
            return rule, rule.agent_id, queue_id
        if rule.method == AssignmentMethod.ROUND_ROBIN:
            # Lock first, then read the members: the pointer and the rotation stay consistent.
            rule = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
        members = _members(queue_id)
        if not members:
            continue
        if rule.method == AssignmentMethod.ROUND_ROBIN:
            return rule, _round_robin(rule, members), queue_id
        return rule, _least_loaded(members), queue_id
    return None


def apply_rules(case: Case, change: CaseChange) -> None:
    """The case hook: assign an unassigned new case, or an unassigned case moved to another queue."""
    if case.owner_id is not None:
        return
    moved_queue = change.action in ("updated", "status_changed") and "team" in change.changed_fields
    if change.action != "created" and not moved_queue:
        return
    if not case.is_active:
        return
    choice = choose_agent(case)
    if choice is None:
        return
    _rule, agent_id, queue_id = choice
    values: dict[str, Any] = {"owner": User.objects.get(pk=agent_id)}
    if queue_id is not None and queue_id != case.team_id:
        values["team"] = Team.objects.get(pk=queue_id)
    update_case(case, by=None, **values)


def register() -> None:
    register_case_hook("assignment", apply_rules)


# The APIs' writers (``by`` is the caller; rules are settings, written by service admins).
def add_rule(*, by: User | None, **values: Any) -> AssignmentRule:
    return create_rule(by=by, **values)


def change_rule(rule: AssignmentRule, *, by: User | None, **values: Any) -> AssignmentRule:
    return update_rule(rule, by=by, **values)


def remove_rule(rule: AssignmentRule, *, by: User | None) -> None:
    delete_rule(rule, by=by)
