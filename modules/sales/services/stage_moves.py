"""Moving many deals into one stage at once, for stage deletion and pipeline archiving.

A fixed number of queries whatever the number of deals: the deals are locked and read once, their
history rows are inserted in one statement, and the deals change in one UPDATE. Callers hold the
transaction and validate the target stage first.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from customization.events.outbox import emit_many
from customization.fields.choices import Entity
from customization.fields.validation import definitions_for
from identity.models import User
from modules.sales.choices import STAGE_REQUIRABLE_FIELDS, DealStatus, StageKind
from modules.sales.models import Deal, DealStageChange, Stage

CUSTOM_PREFIX = "custom."
STATUS_OF_KIND: dict[str, str] = {
    StageKind.OPEN: DealStatus.OPEN,
    StageKind.WON: DealStatus.WON,
    StageKind.LOST: DealStatus.LOST,
}


def _missing(name: str) -> Q:
    """Deals whose ``name`` is empty, read the way ``missing_required_fields`` reads a deal."""
    if name.startswith(CUSTOM_PREFIX):
        key = name.removeprefix(CUSTOM_PREFIX)  # a definition's key: validated, safe in a lookup
        return ~Q(custom__has_key=key) | Q(**{f"custom__{key}": None})
    if name == "amount":
        return Q(amount=0)
    field = Deal._meta.get_field(name)
    if isinstance(field, models.CharField | models.TextField):
        return Q(**{name: ""}) | Q(**{f"{name}__isnull": True})
    return Q(**{f"{name}__isnull": True})


def _checked_names(target: Stage) -> dict[str, str]:
    """What ``missing_required_fields`` enforces of ``target``'s list, with labels: known deal fields
    and the deal's active custom fields."""
    labels = {name: str(label) for name, label in STAGE_REQUIRABLE_FIELDS.items()}
    if any(name.startswith(CUSTOM_PREFIX) for name in target.required_fields):
        labels.update(
            (f"{CUSTOM_PREFIX}{definition.key}", str(definition.display_label))
            for definition in definitions_for(Entity.DEAL)
        )
    return {name: labels[name] for name in target.required_fields if name in labels}


def check_required_fields(deals: QuerySet[Deal], target: Stage, *, field: str) -> None:
    """Refuse (on ``field``) when some of ``deals`` lack what ``target`` requires of a deal entering it."""
    required = _checked_names(target)
    if not required:
        return
    condition = Q()
    for name in required:
        condition |= _missing(name)
    lacking = deals.filter(condition).count()
    if lacking:
        names = ", ".join(required.values())
        raise ValidationError(
            {
                field: [
                    ngettext(
                        "%(count)d deal lacks what the stage %(stage)s requires (%(fields)s).",
                        "%(count)d deals lack what the stage %(stage)s requires (%(fields)s).",
                        lacking,
                    )
                    % {"count": lacking, "stage": target.name, "fields": names}
                ]
            }
        )


def move_deals(deals: QuerySet[Deal], target: Stage, *, by: User | None) -> int:
    """Move ``deals`` into ``target`` (its pipeline too) with a history row each; returns how many moved.

    Status follows the target's kind as in ``move_deal_to_stage``: closing stamps ``closed_at``
    (kept when the deal was already closed that way), reopening clears it, and only lost deals keep
    a lost reason.
    """
    now = timezone.now()
    held = list(
        deals.select_for_update()
        .order_by("pk")
        .values_list("pk", "stage_id", "stage__name", "lost_reason_id", "lost_note")
    )
    rows = [(pk, stage_id, name) for pk, stage_id, name, _reason, _note in held]
    if not rows:
        return 0
    # A lost deal's reason goes on its history row (into another lost stage it also stays on the
    # deal), so undoing a move out of a lost stage restores it.
    DealStageChange.objects.bulk_create(
        DealStageChange(
            deal_id=pk, from_stage_id=stage_id, to_stage=target, changed_by=by, changed_at=now,
            lost_reason_id=reason_id, lost_note=note,
        )
        for pk, stage_id, _name, reason_id, note in held
    )  # fmt: skip
    status = STATUS_OF_KIND[target.kind]
    # The same event a single move writes, so workflows and webhooks see bulk moves too.
    emit_many(
        "deal.stage_changed",
        entity=Entity.DEAL,
        actor=by,
        records=[
            (pk, {"from_stage_id": stage_id, "from_stage": name, "to_stage_id": target.pk, "to_stage": target.name,
                  "status": status, "bulk": True})
            for pk, stage_id, name in rows
        ],
    )  # fmt: skip
    same_status = Q(status=status)
    changes: dict[str, object] = {
        "pipeline_id": target.pipeline_id,
        "stage_id": target.pk,
        "stage_entered_at": now,
        "status": status,
        "updated_at": now,
    }
    if status == DealStatus.OPEN:
        changes.update(closed_at=None, lost_reason=None, lost_note="")
    else:
        changes["closed_at"] = models.Case(
            models.When(same_status & Q(closed_at__isnull=False), then=models.F("closed_at")), default=models.Value(now)
        )
        if status == DealStatus.WON:
            changes.update(lost_reason=None, lost_note="")
    return Deal.objects.filter(pk__in=[pk for pk, _stage, _name in rows]).update(**changes)
