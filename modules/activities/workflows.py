"""What activities bring to workflows: activities as a record type a rule can use, and the planner
the "create an activity" action calls. Registered from ``ActivitiesConfig.ready()``."""

from __future__ import annotations

from django.db import models

from customization.fields.choices import Entity
from customization.workflows.registry import (
    ActivityPlanner,
    Choices,
    WorkflowEntity,
    register_activity_planner,
    register_entity,
)
from modules.activities.choices import ActivityKind
from modules.activities.services.activities import create_activity, update_activity

ACTIVITY_FIELDS = (
    ("kind", True), ("subject", True), ("status", False), ("priority", True), ("direction", True),
    ("due_at", True), ("location", True), ("assignee", True), ("outcome", True), ("company", True),
    ("contact", True), ("lead", True), ("deal", True), ("created_at", False), ("updated_at", False),
)  # fmt: skip
LINKS = ("company", "contact", "lead", "deal")


def _activity_links(activity: models.Model) -> dict[str, models.Model]:
    """An activity planned on an activity goes on the same records (activities do not link to one another)."""
    return {name: getattr(activity, name) for name in LINKS if getattr(activity, f"{name}_id")}


def _kinds() -> Choices:
    return tuple((str(value), str(label)) for value, label in ActivityKind.choices)


def register() -> None:
    register_entity(
        WorkflowEntity(
            entity=Entity.ACTIVITY, fields=ACTIVITY_FIELDS, update=update_activity, activity_links=_activity_links
        )
    )
    register_activity_planner(ActivityPlanner(create=create_activity, kinds=_kinds, default_kind=ActivityKind.TASK))
