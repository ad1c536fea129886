"""SLA policies: the only writer of policies and their targets, and the choice of the policy that
applies to a case (the first active one, in order, whose conditions the case meets)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.input_bounds import text_problem
from identity.services.audit import audit
from modules.contacts.services.records import validated
from modules.service import settings_events as events
from modules.service.choices import CasePriority
from modules.service.sla.models import SlaPolicy, SlaTarget
from modules.service.sla.models.policy import MAX_TARGET_MINUTES, TierSource

Targets = dict[str, tuple[int | None, int | None]]  # priority -> (first response, resolution) minutes


def _target_errors(targets: Targets) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for priority, minutes in targets.items():
        if priority not in CasePriority.values:
            errors["targets"] = [_("Choose a priority.")]
            continue
        for name, value in zip(("first_response", "resolution"), minutes, strict=True):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not (1 <= value <= MAX_TARGET_MINUTES):
                errors[f"targets.{priority}.{name}"] = [
                    _("Enter a whole number of minutes from 1 to %(max)d.") % {"max": MAX_TARGET_MINUTES}
                ]
    return errors


def _clean_values(values: Iterable[Any], field: str) -> list[str]:
    cleaned = []
    for value in values:
        text = str(value).strip()
        problem = text_problem(text)
        if problem or len(text) > 200:
            raise ValidationError({field: [problem or _("Keep each value under 200 characters.")]})
        if text:
            cleaned.append(text)
    return cleaned


def save_policy(
    policy: SlaPolicy | None,
    *,
    name: str,
    targets: Targets,
    position: int = 0,
    is_active: bool = True,
    priorities: Iterable[str] = (),
    tier_source: str = TierSource.COMPANY,
    tier_field: str = "",
    tier_values: Iterable[Any] = (),
    warning_percent: int = 80,
    by: Any = None,
) -> SlaPolicy:
    """Create (``policy`` None) or change a policy with its targets per priority. All or nothing;
    errors name the field (``targets.<priority>.<first_response|resolution>`` for a target). The
    change is in the audit log under ``by`` (else the request's user)."""
    creating = policy is None
    policy = policy or SlaPolicy()
    before = {} if creating else {**events.snapshot(policy, POLICY_FIELDS), "targets": _stored_targets(policy)}
    # The API may send null for any optional field: it means empty, never a server error.
    priorities = list(dict.fromkeys(priorities or ()))
    if any(priority not in CasePriority.values for priority in priorities):
        raise ValidationError({"priorities": [_("Choose priorities from the list.")]})
    policy.name, policy.position, policy.is_active = name, position, is_active
    policy.priorities, policy.tier_source = priorities, tier_source
    policy.tier_field = (tier_field or "").strip()
    policy.tier_values = _clean_values(tier_values or (), "tier_values")
    policy.warning_percent = warning_percent
    errors = _target_errors(targets)
    if policy.tier_field and not policy.tier_values:
        errors["tier_values"] = [_("Enter the tier values this policy is for.")]
    if not any(value is not None for minutes in targets.values() for value in minutes):
        errors.setdefault("targets", [_("Enter at least one target.")])
    try:
        validated(policy)
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy.save()
        policy.targets.all().delete()
        SlaTarget.objects.bulk_create(
            SlaTarget(policy=policy, priority=priority, first_response_minutes=first, resolution_minutes=resolution)
            for priority, (first, resolution) in targets.items()
            if first is not None or resolution is not None
        )
        _audited(policy, by, "sla.policy_created" if creating else "sla.policy_changed")
        if creating:
            events.record_created(events.SLA_POLICY, policy, by=by)
        else:
            after = {**events.snapshot(policy, POLICY_FIELDS), "targets": _stored_targets(policy)}
            events.record_updated(events.SLA_POLICY, policy, by=by, fields=events.changed(before, after))
        _recalculate_after_commit()
    return policy


def delete_policy(policy: SlaPolicy, *, by: Any = None) -> None:
    with transaction.atomic():
        _audited(policy, by, "sla.policy_deleted")
        events.record_deleted(events.SLA_POLICY, policy, by=by, name=policy.name)
        policy.delete()
        _recalculate_after_commit()


def _tier_matches(policy: SlaPolicy, case: Any) -> bool:
    if not policy.tier_field:
        return True
    holder = case.company if policy.tier_source == TierSource.COMPANY else case.contact
    if holder is None:
        return False
    value = (holder.custom or {}).get(policy.tier_field)
    values = value if isinstance(value, list) else [value]
    allowed = set(policy.tier_values)
    return any(item is not None and str(item) in allowed for item in values)


def policy_matches(policy: SlaPolicy, case: Any) -> bool:
    if policy.priorities and case.priority not in policy.priorities:
        return False
    return _tier_matches(policy, case)


def policy_for(case: Any, policies: Iterable[SlaPolicy] | None = None) -> SlaPolicy | None:
    """The first active policy in order that matches ``case`` (its targets prefetched)."""
    if policies is None:
        policies = SlaPolicy.objects.filter(is_active=True).prefetch_related("targets").order_by("position", "id")
    for policy in policies:
        if policy.is_active and policy_matches(policy, case):
            return policy
    return None


def target_of(policy: SlaPolicy, priority: str) -> SlaTarget | None:
    return next((target for target in policy.targets.all() if target.priority == priority), None)


def _recalculate_after_commit() -> None:
    from modules.service.sla.tasks import schedule_recalculation

    schedule_recalculation()


POLICY_FIELDS = ("name", "position", "is_active", "priorities", "tier_source", "tier_field", "tier_values",
                 "warning_percent")  # fmt: skip


def _targets_from_rows(rows: Iterable[Any]) -> Targets:
    """``[{priority, first_response_minutes, resolution_minutes}, …]`` (the APIs' shape) as ``Targets``;
    a priority given twice is refused, naming ``targets``."""
    targets: Targets = {}
    for row in rows:
        priority = str(row.get("priority", ""))
        if priority in targets:
            raise ValidationError({"targets": [_("Give each priority once.")]})
        targets[priority] = (row.get("first_response_minutes"), row.get("resolution_minutes"))
    return targets


def _stored_targets(policy: SlaPolicy) -> list[tuple[str, int | None, int | None]]:
    """The policy's targets as stored now (never a prefetched list, which a save leaves stale)."""
    rows = SlaTarget.objects.filter(policy=policy).order_by("priority")
    return list(rows.values_list("priority", "first_response_minutes", "resolution_minutes"))


def _current_targets(policy: SlaPolicy) -> Targets:
    return {
        target.priority: (target.first_response_minutes, target.resolution_minutes) for target in policy.targets.all()
    }


def _audited(policy: SlaPolicy, by: Any, action: str) -> SlaPolicy:
    summaries = {
        "sla.policy_created": _("SLA policy %(name)s created"),
        "sla.policy_changed": _("SLA policy %(name)s changed"),
        "sla.policy_deleted": _("SLA policy %(name)s deleted"),
    }
    audit(action, summaries[action] % {"name": policy.name}, by=by, target=f"sla_policy:{policy.pk}")
    return policy


def create_policy(*, by: Any, targets: Iterable[Any] = (), **values: Any) -> SlaPolicy:
    """A new policy from named values and target rows (the APIs' writes); errors name the field."""
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    values.setdefault("name", "")
    return save_policy(None, targets=_targets_from_rows(targets), by=by, **values)


def update_policy(policy: SlaPolicy, *, by: Any, targets: Iterable[Any] | None = None, **values: Any) -> SlaPolicy:
    """Change the named values (and, when given, replace the targets), keeping the others."""
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    current = {name: getattr(policy, name) for name in POLICY_FIELDS}
    rows = _current_targets(policy) if targets is None else _targets_from_rows(targets)
    return save_policy(policy, targets=rows, by=by, **{**current, **values})


def remove_policy(policy: SlaPolicy, *, by: Any) -> None:
    delete_policy(policy, by=by)
