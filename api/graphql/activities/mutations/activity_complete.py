from __future__ import annotations

from typing import Any

import graphene

from api.entities import ACTIVITY
from api.graphql.activities.types import ActivityKindEnum, ActivityType, OutcomeEnum
from api.graphql.core import RecordMutation, enum_value, error_type, input_values, reloaded, resolve_reference
from api.graphql.identity.types import UserType
from identity.models import User
from modules.activities.services.activities import FollowUp, complete_activity


class FollowUpInput(graphene.InputObjectType):
    """The next step, planned on the same records with the completed activity as its origin."""

    kind = graphene.InputField(ActivityKindEnum, required=True)
    subject = graphene.String(required=True)
    due_at = graphene.DateTime()
    assignee = graphene.ID(description="A User id; the completed activity's assignee when not given.")
    body = graphene.String()


class ActivityComplete(RecordMutation):
    """Mark an open activity done with an outcome and, if asked, plan its follow-up: both or neither."""

    class Arguments:
        id = graphene.ID(required=True)
        outcome = graphene.Argument(OutcomeEnum)
        outcome_note = graphene.String()
        follow_up = graphene.Argument(FollowUpInput)

    activity = graphene.Field(ActivityType)
    follow_up = graphene.Field(ActivityType, description="The planned follow-up, when one was asked for.")
    errors = graphene.List(graphene.NonNull(error_type("ActivityComplete")), required=True)

    permission = ACTIVITY.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        activity = resolve_reference(info, data["id"], ActivityType, "id")
        follow_up = None
        if data.get("follow_up") is not None:
            values = input_values(data["follow_up"], references={"assignee": UserType}, info=info)
            values["body"] = values.get("body") or ""
            follow_up = FollowUp(**values)
        done, planned = complete_activity(
            activity,
            by=user,
            outcome=enum_value(data.get("outcome")) or "",
            outcome_note=data.get("outcome_note") or "",
            follow_up=follow_up,
        )
        return {"activity": reloaded(ActivityType, info, done), "follow_up": reloaded(ActivityType, info, planned)}
