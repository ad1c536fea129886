"""Pipelines and their stages as tenant admins shape them (Settings → Pipelines).

The only writers of pipelines and stages besides the sales seed. Each function owns its
transaction, locks the pipeline it changes (two admins cannot both remove its last open stage) and
raises a field-named ValidationError, writing nothing, when it refuses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Min, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customization.fields.choices import Entity
from customization.fields.validation import definitions_for
from identity.models import User
from identity.services.audit import audit
from modules.contacts.services.records import check_fields, validated
from modules.sales.choices import STAGE_REQUIRABLE_FIELDS, DealStatus, StageKind
from modules.sales.models import Deal, Pipeline, Stage
from modules.sales.services.stage_moves import check_required_fields, move_deals

STAGE_FIELDS = ("name", "kind", "probability", "required_fields", "rotting_days")
DEFAULT_PROBABILITY: dict[str, int] = {StageKind.OPEN: 10, StageKind.WON: 100, StageKind.LOST: 0}


def required_field_choices() -> list[tuple[str, str]]:
    """The deal fields a stage may require, as (name, label): the one list the stage form offers and
    ``add_stage`` / ``update_stage`` accept. A custom field goes in as ``custom.<key>``, the name
    ``missing_required_fields`` and the bulk moves here read."""
    standard = [(name, str(label)) for name, label in STAGE_REQUIRABLE_FIELDS.items()]
    custom = [(f"custom.{d.key}", d.display_label) for d in definitions_for(Entity.DEAL)]
    return standard + custom


def _locked(pipeline: Pipeline) -> Pipeline:
    return Pipeline.objects.select_for_update().get(pk=pipeline.pk)


def _stripped(value: str) -> str:
    return value.strip() if isinstance(value, str) else value


def _ordered_ids(order: Sequence[object], expected: set[int]) -> list[int]:
    """``order`` as ids, refused unless it lists each of ``expected`` exactly once."""
    try:
        ids = [int(str(value)) for value in order]
    except ValueError:
        ids = []
    if len(ids) != len(expected) or set(ids) != expected:
        raise ValidationError({"order": [_("The order changed meanwhile: reload the page and try again.")]})
    return ids


# --- Pipelines ------------------------------------------------------------------------------------


def create_pipeline(*, name: str) -> Pipeline:
    """A pipeline at the end of the list with a first open stage, a won and a lost stage; it is the
    default when the tenant has none."""
    with transaction.atomic():
        last = Pipeline.objects.aggregate(last=Max("position"))["last"]
        pipeline = Pipeline(
            name=_stripped(name),
            position=0 if last is None else last + 1,
            is_default=not Pipeline.objects.filter(is_default=True).exists(),
        )
        validated(pipeline)
        pipeline.save()
        starting = [(_("New"), StageKind.OPEN), (_("Won"), StageKind.WON), (_("Lost"), StageKind.LOST)]
        Stage.objects.bulk_create(
            Stage(pipeline=pipeline, name=stage_name, kind=kind, probability=DEFAULT_PROBABILITY[kind], position=index)
            for index, (stage_name, kind) in enumerate(starting)
        )
        _audit_pipeline(pipeline, "pipeline.created", _("Pipeline %(pipeline)s created."))
    return pipeline


def _audit_pipeline(pipeline: Pipeline, action: str, summary: str, *, by: User | None = None, **details: Any) -> None:
    audit(
        action,
        summary % {"pipeline": pipeline.name, **details},
        by=by,
        system="pipelines",
        target=f"pipeline:{pipeline.pk}",
        details={"pipeline": pipeline.name, **details},
    )


def rename_pipeline(pipeline: Pipeline, *, name: str) -> Pipeline:
    with transaction.atomic():
        pipeline = _locked(pipeline)
        before = pipeline.name
        pipeline.name = _stripped(name)
        validated(pipeline)
        pipeline.save(update_fields=["name"])
        if before != pipeline.name:
            _audit_pipeline(
                pipeline, "pipeline.renamed", _("Pipeline %(before)s renamed to %(pipeline)s."), before=before
            )
    return pipeline


def set_default_pipeline(pipeline: Pipeline) -> Pipeline:
    """Make ``pipeline`` the one new deals start in."""
    with transaction.atomic():
        pipeline = _locked(pipeline)
        if pipeline.is_archived:
            raise ValidationError({"pipeline": [_("An archived pipeline cannot be the default.")]})
        Pipeline.objects.filter(is_default=True).exclude(pk=pipeline.pk).update(is_default=False)
        pipeline.is_default = True
        pipeline.save(update_fields=["is_default"])
        _audit_pipeline(pipeline, "pipeline.default_set", _("Pipeline %(pipeline)s is now the default."))
    return pipeline


def _check_target(target: Stage | None, *, leaving: Pipeline, message: str) -> Stage:
    """The open stage of another active pipeline that an archived pipeline's open deals go to."""
    if target is None:
        raise ValidationError({"target_stage": [message]})
    target = Stage.objects.select_related("pipeline").get(pk=target.pk)
    if target.pipeline_id == leaving.pk or target.pipeline.is_archived:
        raise ValidationError({"target_stage": [_("Choose a stage of another active pipeline.")]})
    if target.kind != StageKind.OPEN:
        raise ValidationError({"target_stage": [_("Open deals can only go to an open stage.")]})
    return target


def archive_pipeline(pipeline: Pipeline, *, target_stage: Stage | None = None, by: User | None) -> int:
    """Hide ``pipeline`` from the board and new deals; returns how many open deals moved.

    Its open deals move to ``target_stage`` (an open stage of another active pipeline), each with a
    history row; won and lost deals stay where they are. Archiving the default makes the target's
    pipeline the default, so a default must be named even when no deal is open.
    """
    with transaction.atomic():
        pipeline = _locked(pipeline)
        if pipeline.is_archived:
            return 0
        if not Pipeline.objects.filter(is_archived=False).exclude(pk=pipeline.pk).exists():
            raise ValidationError(
                {"pipeline": [_("This is the only active pipeline: create another one before archiving it.")]}
            )
        open_deals = Deal.objects.filter(pipeline=pipeline, status=DealStatus.OPEN)
        moved = 0
        if pipeline.is_default or open_deals.exists():
            message = (
                _("Choose where its open deals go; that pipeline becomes the default.")
                if pipeline.is_default
                else _("Choose where its open deals go.")
            )
            target = _check_target(target_stage, leaving=pipeline, message=message)
            check_required_fields(open_deals, target, field="target_stage")
            moved = move_deals(open_deals, target, by=by)
            if pipeline.is_default:
                pipeline.is_default = False
                pipeline.save(update_fields=["is_default"])
                Pipeline.objects.filter(pk=target.pipeline_id).update(is_default=True)
        pipeline.is_archived = True
        pipeline.save(update_fields=["is_archived"])
        summary = ngettext(
            "Pipeline %(pipeline)s archived; %(moved)d open deal moved.",
            "Pipeline %(pipeline)s archived; %(moved)d open deals moved.",
            moved,
        )
        _audit_pipeline(pipeline, "pipeline.archived", summary, by=by, moved=moved)
    return moved


def unarchive_pipeline(pipeline: Pipeline) -> Pipeline:
    """Bring ``pipeline`` back; it becomes the default when there is none."""
    with transaction.atomic():
        pipeline = _locked(pipeline)
        pipeline.is_archived = False
        pipeline.is_default = not Pipeline.objects.filter(is_default=True).exclude(pk=pipeline.pk).exists()
        pipeline.save(update_fields=["is_archived", "is_default"])
        _audit_pipeline(pipeline, "pipeline.unarchived", _("Pipeline %(pipeline)s brought back."))
    return pipeline


def reorder_pipelines(*, order: Sequence[object]) -> None:
    """Positions from ``order``, the ids of every pipeline (archived ones too) in their new order."""
    with transaction.atomic():
        pipelines = {pipeline.pk: pipeline for pipeline in Pipeline.objects.select_for_update()}
        for position, pk in enumerate(_ordered_ids(order, set(pipelines))):
            pipelines[pk].position = position
        Pipeline.objects.bulk_update(pipelines.values(), ["position"])


# --- Stages ---------------------------------------------------------------------------------------


def _required_fields(value: object) -> list[str]:
    if value is None:
        return []
    allowed = {name for name, _label in required_field_choices()}
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError({"required_fields": [_("Give a list of deal fields.")]})
    names = list(value)
    unknown = [str(name) for name in names if not isinstance(name, str) or name not in allowed]
    if unknown:
        raise ValidationError(
            {"required_fields": [_("A stage cannot require: %(names)s.") % {"names": ", ".join(unknown)}]}
        )
    return list(dict.fromkeys(names))


def _check_stage(stage: Stage) -> None:
    """Field validation, a name unique in its pipeline, rotting after at least one day."""
    validated(stage, exclude=["pipeline"])
    if stage.rotting_days is not None and stage.rotting_days < 1:
        raise ValidationError({"rotting_days": [_("Leave empty, or give at least one day.")]})
    if Stage.objects.filter(pipeline_id=stage.pipeline_id, name__iexact=stage.name).exclude(pk=stage.pk).exists():
        raise ValidationError({"name": [_("This pipeline already has a stage with this name.")]})


def add_stage(
    pipeline: Pipeline,
    *,
    name: str,
    kind: str = StageKind.OPEN,
    probability: int | None = None,
    required_fields: Iterable[str] = (),
    rotting_days: int | None = None,
) -> Stage:
    """A new stage; an open one goes before the pipeline's won and lost stages, others at the end."""
    with transaction.atomic():
        pipeline = _locked(pipeline)
        stage = Stage(
            pipeline=pipeline,
            name=_stripped(name),
            kind=kind,
            probability=DEFAULT_PROBABILITY.get(kind, 0) if probability is None else probability,
            required_fields=_required_fields(required_fields),
            rotting_days=rotting_days,
        )
        closed = ~Q(kind=StageKind.OPEN)
        positions = pipeline.stages.aggregate(last=Max("position"), first_closed=Min("position", filter=closed))
        before_closed = kind == StageKind.OPEN and positions["first_closed"] is not None
        if before_closed:
            stage.position = positions["first_closed"]
        else:
            stage.position = 0 if positions["last"] is None else positions["last"] + 1
        _check_stage(stage)
        if before_closed:
            pipeline.stages.filter(position__gte=stage.position).update(position=F("position") + 1)
        stage.save()
        _audit_pipeline(pipeline, "stage.added", _("Stage %(stage)s added to pipeline %(pipeline)s."), stage=stage.name)
    return stage


def update_stage(stage: Stage, **values: Any) -> Stage:
    """Change a stage's name, kind, probability, required fields or rotting days.

    The kind of a stage holding deals stays (their status follows it: move them first), and a
    pipeline keeps at least one open stage.
    """
    check_fields(Stage, values, STAGE_FIELDS)
    with transaction.atomic():
        _locked(stage.pipeline)
        stage = Stage.objects.select_for_update().get(pk=stage.pk)
        if "required_fields" in values:
            values["required_fields"] = _required_fields(values["required_fields"])
        if "name" in values:
            values["name"] = _stripped(values["name"])
        kind = values.get("kind", stage.kind)
        if kind != stage.kind:
            if stage.deals.exists():
                raise ValidationError({"kind": [_("Deals are in this stage: move them before changing its kind.")]})
            if stage.kind == StageKind.OPEN and not _other_open_stages(stage):
                raise ValidationError({"kind": [_("A pipeline needs at least one open stage.")]})
        for field, value in values.items():
            setattr(stage, field, value)
        _check_stage(stage)
        stage.save()
    return stage


def _other_open_stages(stage: Stage) -> bool:
    return Stage.objects.filter(pipeline_id=stage.pipeline_id, kind=StageKind.OPEN).exclude(pk=stage.pk).exists()


def reorder_stages(pipeline: Pipeline, *, order: Sequence[object]) -> None:
    """Positions from ``order``, the ids of every stage of ``pipeline`` in their new order."""
    with transaction.atomic():
        pipeline = _locked(pipeline)
        stages = {stage.pk: stage for stage in pipeline.stages.all()}
        for position, pk in enumerate(_ordered_ids(order, set(stages))):
            stages[pk].position = position
        Stage.objects.bulk_update(stages.values(), ["position"])


def delete_stage(stage: Stage, *, target_stage: Stage | None = None, by: User | None) -> int:
    """Delete ``stage``; its deals first move to ``target_stage``. Returns how many moved.

    The target is a stage of the same kind (the deals keep their status) in this or another active
    pipeline and must find the deals' required fields filled. Each deal gets a history row; a
    pipeline keeps at least one open stage.
    """
    with transaction.atomic():
        pipeline = _locked(stage.pipeline)
        stage = Stage.objects.select_for_update().get(pk=stage.pk)
        if stage.kind == StageKind.OPEN and not _other_open_stages(stage):
            raise ValidationError({"stage": [_("This is the pipeline's last open stage: a pipeline needs one.")]})
        deals = Deal.objects.filter(stage=stage)
        moved = 0
        if deals.exists():
            if target_stage is None:
                raise ValidationError({"target_stage": [_("Choose the stage its deals move to.")]})
            target = Stage.objects.select_related("pipeline").get(pk=target_stage.pk)
            if target.pk == stage.pk or target.pipeline.is_archived:
                raise ValidationError({"target_stage": [_("Choose another stage of an active pipeline.")]})
            if target.kind != stage.kind:
                raise ValidationError(
                    {"target_stage": [_("Choose a stage of the same kind: the deals keep their status.")]}
                )
            check_required_fields(deals, target, field="target_stage")
            moved = move_deals(deals, target, by=by)
        summary = ngettext(
            "Stage %(stage)s of pipeline %(pipeline)s deleted; %(moved)d deal moved.",
            "Stage %(stage)s of pipeline %(pipeline)s deleted; %(moved)d deals moved.",
            moved,
        )
        _audit_pipeline(pipeline, "stage.deleted", summary, by=by, stage=stage.name, moved=moved)
        stage.delete()
    return moved
