"""Deals: create, update, move between stages (required fields enforced), win, lose, reopen."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customization.fields.choices import Entity
from customization.fields.validation import definitions_for
from identity.models import User
from modules.contacts.choices import TimelineKind
from modules.contacts.services.money import base_currency
from modules.contacts.services.records import apply_update, check_fields, new_custom_values, record_event, validated
from modules.contacts.services.timeline import record_entry
from modules.sales.choices import STAGE_REQUIRABLE_FIELDS, DealStatus, StageKind
from modules.sales.models import Deal, DealStageChange, LostReason, Pipeline, Stage
from modules.sales.services.pipelines import default_pipeline, first_open_stage

DEAL_FIELDS = (
    "name", "pipeline", "stage", "amount", "currency", "probability", "expected_close_date", "owner",
    "company", "contact", "lead", "description", "tags", "custom",
)  # fmt: skip
# Stage, status and pipeline change only through move_deal_to_stage / mark_* (history, rules).
UPDATABLE_FIELDS = tuple(name for name in DEAL_FIELDS if name not in ("pipeline", "stage", "lead"))


def _links(deal: Deal) -> dict[str, Any]:
    return {"deal": deal, "company": deal.company, "contact": deal.contact}


def missing_required_fields(deal: Deal, stage: Stage) -> dict[str, list[str]]:
    """Field errors for what ``stage`` requires and ``deal`` lacks."""
    errors: dict[str, list[str]] = {}
    custom_labels: dict[str, str] | None = None
    for name in stage.required_fields:
        if name.startswith("custom."):
            key = name.removeprefix("custom.")
            if custom_labels is None:
                custom_labels = {d.key: d.display_label for d in definitions_for(Entity.DEAL)}
            if key in custom_labels and (deal.custom or {}).get(key) is None:
                message = _("%(field)s is required in the stage %(stage)s.")
                errors[name] = [message % {"field": custom_labels[key], "stage": stage.name}]
            continue
        if name not in STAGE_REQUIRABLE_FIELDS:
            continue
        value = getattr(deal, f"{name}_id" if name in ("company", "contact") else name)
        if value in (None, "") or (name == "amount" and not value):
            errors[name] = [
                _("%(field)s is required in the stage %(stage)s.")
                % {"field": STAGE_REQUIRABLE_FIELDS[name], "stage": stage.name}
            ]
    return errors


def _status_for(stage: Stage) -> str:
    statuses: dict[str, str] = {StageKind.WON: DealStatus.WON, StageKind.LOST: DealStatus.LOST}
    return statuses.get(stage.kind, DealStatus.OPEN)


def create_deal(*, by: User | None, **values: Any) -> Deal:
    """Open a deal; pipeline defaults to the tenant's default one and stage to its first open stage."""
    tags = values.pop("tags", None) or []
    check_fields(Deal, values, DEAL_FIELDS)
    values.setdefault("owner", by)
    values.setdefault("currency", base_currency())
    pipeline: Pipeline | None = values.get("pipeline") or (values["stage"].pipeline if values.get("stage") else None)
    pipeline = pipeline or default_pipeline()
    if pipeline is None:
        raise ValidationError({"pipeline": [_("Create a pipeline first.")]})
    stage: Stage = values.get("stage") or first_open_stage(pipeline)
    if stage.pipeline_id != pipeline.pk:
        raise ValidationError({"stage": [_("This stage belongs to another pipeline.")]})
    values.update(pipeline=pipeline, stage=stage)
    values["custom"] = new_custom_values(Deal, values.get("custom"))
    deal = Deal(created_by=by, status=_status_for(stage), **values)
    if deal.status != DealStatus.OPEN:
        deal.closed_at = timezone.now()
    errors = missing_required_fields(deal, stage)
    if errors:
        raise ValidationError(errors)
    validated(deal)
    with transaction.atomic():
        deal.save()
        deal.tags.set(tags)
        DealStageChange.objects.create(deal=deal, from_stage=None, to_stage=stage, changed_by=by)
        record_entry(TimelineKind.CREATED, actor=by, data={"stage": stage.name}, **_links(deal))
        record_event("created", deal, by=by, data={"stage_id": stage.pk, "stage": stage.name})
    return deal


def update_deal(deal: Deal, *, by: User | None, **values: Any) -> Deal:
    """Change a deal's details; the current stage's required fields must stay filled."""
    check_fields(Deal, {k: v for k, v in values.items() if k != "tags"}, UPDATABLE_FIELDS)
    with transaction.atomic():
        apply_update(deal, values, by=by, allowed=UPDATABLE_FIELDS, timeline_links=_links(deal))
        errors = missing_required_fields(deal, deal.stage)
        if errors:
            raise ValidationError(errors)
    return deal


def move_deal_to_stage(
    deal: Deal,
    stage: Stage,
    *,
    by: User | None,
    lost_reason: LostReason | None = None,
    lost_note: str = "",
    **values: Any,
) -> Deal:
    """Move a deal into ``stage`` (of its pipeline or another), filling ``values`` on the way.

    The stage's required fields must be filled (a field-named error otherwise); entering a won or
    lost stage closes the deal, leaving one reopens it. A lost stage needs a reason when the tenant
    has any. Writes the stage history and a timeline entry; all or nothing.
    """
    check_fields(Deal, values, UPDATABLE_FIELDS)
    with transaction.atomic():
        deal = Deal.objects.select_for_update().select_related("stage", "pipeline").get(pk=deal.pk)
        previous = deal.stage
        changes: list[dict[str, Any]] = []
        if values:  # filled on the way in: listed on the move's own entry, not a second one
            changes = apply_update(
                deal, dict(values), by=by, allowed=UPDATABLE_FIELDS, timeline_links=_links(deal), timeline=False
            )
        errors = missing_required_fields(deal, stage)
        if stage.kind == StageKind.LOST and lost_reason is None and LostReason.objects.filter(is_active=True).exists():
            errors["lost_reason"] = [_("Say why the deal was lost.")]
        if errors:
            raise ValidationError(errors)
        if stage.pk == previous.pk:
            if changes:
                record_entry(TimelineKind.UPDATED, actor=by, data={"changes": changes}, **_links(deal))
            return deal
        now = timezone.now()
        held_reason, held_note = deal.lost_reason, deal.lost_note  # while in a lost stage being left
        deal.pipeline_id = stage.pipeline_id
        deal.stage = stage
        deal.stage_entered_at = now
        deal.board_position = None  # new to the stage: on top of its column until someone orders it
        deal.status = _status_for(stage)
        deal.closed_at = now if deal.status != DealStatus.OPEN else None
        deal.lost_reason = lost_reason if deal.status == DealStatus.LOST else None
        deal.lost_note = lost_note if deal.status == DealStatus.LOST else ""
        deal.save()
        lost_side = (deal.lost_reason, deal.lost_note) if deal.status == DealStatus.LOST else (held_reason, held_note)
        DealStageChange.objects.create(
            deal=deal, from_stage=previous, to_stage=stage, changed_by=by, changed_at=now,
            lost_reason=lost_side[0], lost_note=lost_side[1],
        )  # fmt: skip
        kinds: dict[str, str] = {DealStatus.WON: TimelineKind.DEAL_WON, DealStatus.LOST: TimelineKind.DEAL_LOST}
        kind = kinds.get(deal.status, TimelineKind.STAGE_CHANGED)
        data: dict[str, Any] = {
            "from_stage": previous.name,
            "to_stage": stage.name,
            "probability": deal.effective_probability,
        }
        if lost_reason is not None and deal.status == DealStatus.LOST:
            data["lost_reason"] = lost_reason.name
        if changes:
            data["changes"] = changes
        record_entry(kind, actor=by, data=data, occurred_at=now, **_links(deal))
        record_event(
            "stage_changed", deal, by=by,
            data={
                "from_stage_id": previous.pk, "from_stage": previous.name, "to_stage_id": stage.pk,
                "to_stage": stage.name, "status": deal.status,
            },
        )  # fmt: skip
    return deal


# How long the user who moved a deal may take the move back (a mis-click on Won, a wrong drop).
UNDO_WINDOW = timedelta(minutes=10)


def undoable_move(deal: Deal, user: User | None) -> DealStageChange | None:
    """The deal's last move when ``user`` made it within ``UNDO_WINDOW`` and it still holds."""
    if user is None:
        return None
    last = deal.stage_changes.select_related("from_stage", "lost_reason").order_by("-changed_at", "-id").first()
    if (
        last is None
        or last.from_stage_id is None
        or last.to_stage_id != deal.stage_id
        or last.changed_by_id != user.pk
        or last.changed_at < timezone.now() - UNDO_WINDOW
    ):
        return None
    return last


def undo_last_move(deal: Deal, *, by: User | None) -> Deal:
    """Move the deal back to the stage it left, when ``by`` moved it moments ago (``undoable_move``).

    The way back is a move like any other (``move_deal_to_stage``): it is on the stage history and
    the timeline, so what happened stays told. Back into a lost stage, the deal gets again the
    reason and note it had there (kept on the move's history row); a reason is asked only when
    that one is gone.
    """
    with transaction.atomic():
        locked = Deal.objects.select_for_update().get(pk=deal.pk)
        last = undoable_move(locked, by)
        if last is None or last.from_stage is None:
            raise ValidationError({"stage": [_("This move can no longer be undone.")]})
        if last.from_stage.kind == StageKind.LOST:
            return move_deal_to_stage(
                locked, last.from_stage, by=by, lost_reason=last.lost_reason, lost_note=last.lost_note
            )
        return move_deal_to_stage(locked, last.from_stage, by=by)


def mark_won(deal: Deal, *, by: User | None) -> Deal:
    stage = deal.pipeline.stages.filter(kind=StageKind.WON).order_by("position").first()
    if stage is None:
        raise ValidationError({"stage": [_("This pipeline has no won stage.")]})
    return move_deal_to_stage(deal, stage, by=by)


def mark_lost(deal: Deal, *, by: User | None, lost_reason: LostReason | None, lost_note: str = "") -> Deal:
    stage = deal.pipeline.stages.filter(kind=StageKind.LOST).order_by("position").first()
    if stage is None:
        raise ValidationError({"stage": [_("This pipeline has no lost stage.")]})
    return move_deal_to_stage(deal, stage, by=by, lost_reason=lost_reason, lost_note=lost_note)


def delete_deal(deal: Deal, *, by: User | None) -> None:
    with transaction.atomic():
        record_event("deleted", deal, by=by, data={"name": deal.name})
        deal.delete()
