"""What sales brings to workflows: leads, deals and orders as record types a rule can use (their
fields, update services, a deal's stage as a move through ``move_deal_to_stage``) and the pipelines
the rule builder offers for "deal enters a stage". Registered from ``SalesConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from customization.fields.choices import Entity
from customization.workflows.registry import Choices, WorkflowEntity, register_builder_option, register_entity
from modules.sales.models import Deal, Pipeline, Stage
from modules.sales.services.deals import move_deal_to_stage, update_deal
from modules.sales.services.leads import update_lead
from modules.sales.services.orders import update_order

LEAD_FIELDS = (
    ("first_name", True), ("last_name", True), ("full_name", False), ("company_name", True),
    ("job_title", True), ("email", True), ("phone", True), ("website", True), ("country", True),
    ("source", True), ("status", True), ("estimated_value", True), ("currency", True), ("owner", True),
    ("description", True), ("created_at", False), ("updated_at", False),
)  # fmt: skip
DEAL_FIELDS = (
    ("name", True), ("stage", True), ("pipeline", False), ("status", False), ("amount", True),
    ("currency", True), ("probability", True), ("expected_close_date", True), ("owner", True),
    ("company", True), ("contact", True), ("description", True), ("closed_at", False),
    ("stage_entered_at", False), ("created_at", False), ("updated_at", False),
)  # fmt: skip
ORDER_FIELDS = (
    ("number", False), ("status", False), ("ordered_on", True), ("currency", False), ("owner", True),
    ("company", True), ("contact", True), ("deal", True), ("notes", True), ("subtotal", False),
    ("total", False), ("created_at", False), ("updated_at", False),
)  # fmt: skip
ACTIVITY_LINKS = ("company", "contact", "deal")


def stage_choices() -> Choices:
    stages = Stage.objects.select_related("pipeline").order_by("pipeline__name", "pipeline_id", "position", "id")
    return tuple((str(stage.pk), f"{stage.pipeline.name} / {stage.name}") for stage in stages)


def pipeline_choices() -> Choices:
    return tuple((str(pipeline.pk), pipeline.name) for pipeline in Pipeline.objects.order_by("name", "id"))


def pipelines_for_builder() -> list[dict[str, Any]]:
    """The pipelines and their stages, for the "deal enters a stage" trigger."""
    pipelines = Pipeline.objects.prefetch_related("stages").order_by("position", "id")
    return [
        {
            "name": pipeline.name,
            "archived": pipeline.is_archived,
            "stages": [{"id": stage.pk, "name": stage.name} for stage in pipeline.stages.all()],
        }
        for pipeline in pipelines
    ]


def move_to_stage(deal: Deal, stage_id: Any, values: dict[str, Any], *, by: Any) -> models.Model:
    """A workflow setting a deal's stage moves it, so the stage's required fields and history apply;
    the step's other values go along."""
    try:
        stage = Stage.objects.select_related("pipeline").get(pk=int(stage_id))
    except (Stage.DoesNotExist, TypeError, ValueError) as error:
        raise ValidationError({"stage": [_("No stage with the id %(id)s exists.") % {"id": stage_id}]}) from error
    if stage.pk == deal.stage_id:
        if values:
            update_deal(deal, by=by, **values)
        return deal
    moved: models.Model = move_deal_to_stage(deal, stage, by=by, **values)
    return moved


def _order_activity_links(order: models.Model) -> dict[str, models.Model]:
    """No activity links to an order: an activity planned on one goes on its company, contact and deal."""
    return {name: getattr(order, name) for name in ACTIVITY_LINKS if getattr(order, f"{name}_id")}


def register() -> None:
    register_entity(WorkflowEntity(entity=Entity.LEAD, fields=LEAD_FIELDS, update=update_lead))
    register_entity(
        WorkflowEntity(
            entity=Entity.DEAL,
            fields=DEAL_FIELDS,
            update=update_deal,
            choices={"stage": stage_choices, "pipeline": pipeline_choices},
            setters={"stage": move_to_stage},
        )
    )
    register_entity(
        WorkflowEntity(
            entity=Entity.ORDER, fields=ORDER_FIELDS, update=update_order, activity_links=_order_activity_links
        )
    )
    register_builder_option("pipelines", pipelines_for_builder)
