"""``assign_round_robin {"team_id"}``: give the record to the next active member of the team (in
id order, after whoever the rule gave the last one to). The rule's cursor row is locked while
choosing, so two runs at once never pick the same member twice in a row."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from customization.fields.choices import Entity
from customization.workflows.engine.actions.base import Outcome, refused
from customization.workflows.engine.context import StepContext
from customization.workflows.engine.errors import StepError
from customization.workflows.models import RoundRobinCursor
from customization.workflows.record_fields import read_field, set_fields


def _next_member(members: list[Any], last_user_id: int | None) -> Any:
    if last_user_id is not None:
        for member in members:
            if member.pk > last_user_id:
                return member
    return members[0]


def execute(config: dict[str, Any], context: StepContext) -> Outcome:
    from identity.models import Team

    try:
        team = Team.objects.get(pk=int(config.get("team_id") or 0))
    except (Team.DoesNotExist, TypeError, ValueError) as error:
        raise StepError(_("No team has the id %(id)s.") % {"id": config.get("team_id")}) from error
    members = list(get_user_model().objects.filter(teams=team, is_active=True).order_by("id"))
    if not members:
        raise StepError(_("The team %(team)s has no active members.") % {"team": team.name})
    RoundRobinCursor.objects.get_or_create(rule=context.rule, team=team)
    cursor = RoundRobinCursor.objects.select_for_update().get(rule=context.rule, team=team)
    member = _next_member(members, cursor.last_user_id)
    path = "assignee" if context.entity == Entity.ACTIVITY else "owner"
    before = read_field(context.record, path)
    try:
        set_fields(context.record, {path: member.pk}, by=None)
    except ValidationError as error:
        raise refused(error) from error
    cursor.last_user = member
    cursor.save(update_fields=["last_user"])
    return Outcome({"team_id": team.pk, "field": path, "old": before, "new": member.pk})
