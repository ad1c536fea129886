"""``create_activity {"kind", "subject", "due_in": {"days", "hours"}, "assignee"}``: plan an
activity on the record (subject with merge fields), assigned to the record's owner or a user."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from customization.workflows.engine.actions.base import Outcome, refused
from customization.workflows.engine.context import StepContext, merge_values, render
from customization.workflows.engine.errors import StepError
from customization.workflows.registry import activity_planner, workflow_entity

RECORD_OWNER = "record_owner"


def _links(context: StepContext) -> dict[str, Any]:
    """The records the activity goes on: the rule's record, or the records it links to when no
    activity links to its type (an activity, an order)."""
    links = workflow_entity(str(context.entity)).activity_links
    return links(context.record) if links else {str(context.entity): context.record}


def _assignee(config: dict[str, Any], context: StepContext) -> Any:
    choice = config.get("assignee", RECORD_OWNER)
    if choice in (RECORD_OWNER, None, ""):
        owner_id = getattr(context.record, "owner_id", None) or getattr(context.record, "assignee_id", None)
        return get_user_model().objects.filter(pk=owner_id).first() if owner_id else None
    try:
        return get_user_model().objects.get(pk=int(choice), is_active=True)
    except (ValueError, TypeError, get_user_model().DoesNotExist) as error:
        raise StepError(_("No active user has the id %(id)s.") % {"id": choice}) from error


def _due_at(config: dict[str, Any]) -> Any:
    due_in = config.get("due_in") or {}
    if not due_in:
        return None
    try:
        delta = timedelta(days=int(due_in.get("days") or 0), hours=int(due_in.get("hours") or 0))
    except (TypeError, ValueError) as error:
        raise StepError(_("The due time must be whole days and hours.")) from error
    return timezone.now() + delta


def execute(config: dict[str, Any], context: StepContext) -> Outcome:
    planner = activity_planner()
    subject = render(str(config.get("subject") or ""), merge_values(context.record, context.entity))
    assignee = _assignee(config, context)
    try:
        activity: Any = planner.create(
            by=None,
            kind=config.get("kind") or planner.default_kind,
            subject=subject,
            due_at=_due_at(config),
            assignee=assignee,
            **_links(context),
        )
    except ValidationError as error:
        raise refused(error) from error
    return Outcome(
        {
            "activity_id": activity.pk,
            "subject": activity.subject,
            "due_at": activity.due_at.isoformat() if activity.due_at else None,
            "assignee_id": assignee.pk if assignee else None,
        }
    )
