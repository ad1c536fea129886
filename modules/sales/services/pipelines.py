"""Pipelines and their stages; the starting pipeline and lost reasons of a new tenant."""

from __future__ import annotations

from django.db import transaction
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


def seed_sales() -> None:
    """A new tenant's sales pipeline and lost reasons, named in the tenant's language (idempotent)."""
    with transaction.atomic():
        if not Pipeline.objects.exists():
            pipeline = Pipeline.objects.create(name=_("Sales pipeline"), is_default=True)
            stages = [
                (_("Qualification"), StageKind.OPEN, 10, [], 14),
                (_("Needs analysis"), StageKind.OPEN, 25, [], 14),
                (_("Proposal"), StageKind.OPEN, 50, ["amount", "company"], 21),
                (_("Negotiation"), StageKind.OPEN, 75, ["amount", "expected_close_date"], 21),
                (_("Won"), StageKind.WON, 100, ["amount"], None),
                (_("Lost"), StageKind.LOST, 0, [], None),
            ]
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
