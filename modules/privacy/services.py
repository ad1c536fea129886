"""Retention rules: set by the tenant's admins, applied daily by ``tasks.apply_retention`` in
batches so one run never holds a long transaction; every run that deleted something is audited."""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from identity.models import User
from identity.services.audit import audit
from modules.privacy.models import MAX_MONTHS, RetentionRule
from modules.privacy.registry import retention_target, retention_targets
from modules.registry import is_enabled

BATCH = 1000
# Batches per target and run: a backlog (a rule just set on years of data) drains over a few days
# instead of one long run.
MAX_BATCHES = 200


def available_targets(tenant: object) -> list:  # type: ignore[type-arg]
    return [target for target in retention_targets() if target.module is None or is_enabled(tenant, target.module)]


def save_rules(tenant: object, periods: dict[str, int | None], *, by: User | None) -> None:
    """Set the months per target (None: keep forever); unknown targets and periods out of
    1..120 are refused naming the target."""
    allowed = {target.key for target in available_targets(tenant)}
    errors = {}
    for key, months in periods.items():
        if key not in allowed:
            errors[key] = [_("This kind of record cannot be given a retention period.")]
        elif months is not None and not 1 <= months <= MAX_MONTHS:
            errors[key] = [_("Give a number of months from 1 to %(max)d.") % {"max": MAX_MONTHS}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = dict(RetentionRule.objects.values_list("target", "months"))
        for key, months in periods.items():
            if months is None:
                RetentionRule.objects.filter(target=key).delete()
            else:
                RetentionRule.objects.update_or_create(target=key, defaults={"months": months})
        after = {key: months for key, months in periods.items() if months is not None}
        changed = {key: after.get(key) for key in set(before) | set(after) if before.get(key) != after.get(key)}
        if changed:
            audit(
                "privacy.retention_changed",
                _("Data retention periods changed."),
                by=by,
                system="privacy",
                details={"periods": changed},
            )


def apply_retention(tenant: object, *, now: datetime | None = None) -> dict[str, int]:
    """Delete what the tenant's rules say is too old; returns the count per target."""
    now = now or timezone.now()
    deleted: dict[str, int] = {}
    for rule in RetentionRule.objects.order_by("target"):
        target = retention_target(rule.target)
        if target is None or (target.module is not None and not is_enabled(tenant, target.module)):
            continue
        cutoff = now - relativedelta(months=rule.months)
        total = 0
        for _batch in range(MAX_BATCHES):
            with transaction.atomic():
                count = target.delete_before(cutoff, BATCH)
            total += count
            if count < BATCH:
                break
        RetentionRule.objects.filter(pk=rule.pk).update(last_run_at=now, last_deleted=total)
        deleted[rule.target] = total
    if any(deleted.values()):
        audit(
            "privacy.retention_applied",
            _("Records past their retention period were deleted."),
            system="privacy",
            details={"deleted": {key: count for key, count in deleted.items() if count}},
        )
    return deleted
