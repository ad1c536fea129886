from __future__ import annotations

from typing import Any

import graphene

from api.entities import ACTIVITY
from api.graphql.activities.mutations.inputs import ActivityInput, activity_values
from api.graphql.activities.types import ActivityType
from api.graphql.core import RecordMutation, error_type, reloaded, resolve_reference
from api.graphql.custom_fields.inputs import with_custom_values
from customization.fields.choices import Entity
from identity.models import User
from modules.activities.services.activities import update_activity


class ActivityUpdate(RecordMutation):
    """Change the fields sent in ``input``; moving ``dueAt`` keeps a meeting's length and re-arms its reminder.
    The status changes through activityComplete only."""

    class Arguments:
        id = graphene.ID(required=True)
        input = ActivityInput(required=True)

    activity = graphene.Field(ActivityType)
    errors = graphene.List(graphene.NonNull(error_type("ActivityUpdate")), required=True)

    permission = ACTIVITY.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        activity = resolve_reference(info, data["id"], ActivityType, "id")
        update_activity(
            activity, by=user, **with_custom_values(info, Entity.ACTIVITY, activity_values(info, data["input"]))
        )
        return {"activity": reloaded(ActivityType, info, activity)}
