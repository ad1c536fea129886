"""What service brings to workflows: cases as a record type a rule can use (their fields, the update
service, statuses, categories and queues as choices). Registered from ``ServiceConfig.ready()``."""

from __future__ import annotations

from django.db import models

from customization.fields.choices import Entity
from customization.workflows.registry import Choices, WorkflowEntity, register_entity
from identity.models import Team
from modules.service.models import CaseCategory, CaseStatus
from modules.service.services.cases import update_case

CASE_FIELDS = (
    ("number", False), ("subject", True), ("description", True), ("status", True), ("priority", True),
    ("channel", False), ("category", True), ("team", True), ("owner", True), ("company", True),
    ("contact", True), ("deal", True), ("order", True), ("language", True), ("first_response_at", False),
    ("solved_at", False), ("closed_at", False), ("created_at", False), ("updated_at", False),
)  # fmt: skip
ACTIVITY_LINKS = ("company", "contact", "deal")


def status_choices() -> Choices:
    return tuple((str(status.pk), status.label) for status in CaseStatus.objects.order_by("position", "id"))


def category_choices() -> Choices:
    return tuple((str(category.pk), category.name) for category in CaseCategory.objects.order_by("name", "id"))


def team_choices() -> Choices:
    return tuple((str(team.pk), team.name) for team in Team.objects.order_by("name", "id"))


def _case_activity_links(case: models.Model) -> dict[str, models.Model]:
    """An activity planned on a case goes on its company, contact and deal."""
    return {name: getattr(case, name) for name in ACTIVITY_LINKS if getattr(case, f"{name}_id")}


def register() -> None:
    register_entity(
        WorkflowEntity(
            entity=Entity.CASE,
            fields=CASE_FIELDS,
            update=update_case,
            choices={"status": status_choices, "category": category_choices, "team": team_choices},
            activity_links=_case_activity_links,
        )
    )
