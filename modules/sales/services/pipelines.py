"""Pipelines and their stages; the starting pipeline and lost reasons of a new tenant."""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from modules.sales.choices import StageKind
from modules.sales.models import LostReason, Pipeline, Stage


def default_pipeline() -> Pipeline | None:
    return Pipeline.objects.filter(is_archived=False).order_by("-is_default", "position", "id").first()


def first_open_stage(pipeline: Pipeline) -> Stage:
    stage = pipeline.stages.filter(kind=StageKind.OPEN).order_by("position", "id").first()
    if stage is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"pipeline": [_("The pipeline %(name)s has no open stage.") % {"name": pipeline.name}]})
    return stage


def seeded_stages() -> list[tuple[str, str, int, list[str], int | None]]:
    """The stages a new tenant's pipeline starts with (name, kind, probability, required fields,
    rotting days), named in the active language."""
    return [
        (_("Qualification"), StageKind.OPEN, 10, [], 14),
        (_("Needs analysis"), StageKind.OPEN, 25, [], 14),
        (_("Proposal"), StageKind.OPEN, 50, ["amount", "company"], 21),
        (_("Negotiation"), StageKind.OPEN, 75, ["amount", "expected_close_date"], 21),
        (_("Won"), StageKind.WON, 100, ["amount"], None),
        (_("Lost"), StageKind.LOST, 0, [], None),
    ]


def pipelines_as_seeded(locale: str) -> bool:
    """The tenant still has exactly the pipeline ``seed_sales`` made (in ``locale``), unchanged:
    no pipeline added, renamed or archived, no stage added, removed, reordered or edited."""
    pipelines = list(Pipeline.objects.values_list("name", "is_archived")[:2])
    stages = list(
        Stage.objects.order_by("position", "id").values_list(
            "name", "kind", "probability", "required_fields", "rotting_days"
        )
    )
    with translation.override(locale):
        expected_pipeline, expected_stages = (_("Sales pipeline"), False), seeded_stages()
    return pipelines == [expected_pipeline] and [tuple(stage) for stage in stages] == [
        tuple(stage) for stage in expected_stages
    ]


def seed_sales() -> None:
    """A new tenant's sales pipeline and lost reasons, named in the tenant's language (idempotent)."""
    with transaction.atomic():
        if not Pipeline.objects.exists():
            pipeline = Pipeline.objects.create(name=_("Sales pipeline"), is_default=True)
            stages = seeded_stages()
            Stage.objects.bulk_create(
                Stage(
                    pipeline=pipeline, name=name, kind=kind, probability=probability, position=position,
                    required_fields=required, rotting_days=rotting,
                )
                for position, (name, kind, probability, required, rotting) in enumerate(stages)
            )  # fmt: skip
        if not LostReason.objects.exists():
            reasons = [_("Price"), _("Chose a competitor"), _("No budget"), _("No decision"), _("Timing")]
            LostReason.objects.bulk_create(LostReason(name=name, position=i) for i, name in enumerate(reasons))
