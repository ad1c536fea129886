from __future__ import annotations

from typing import Any

import graphene

from api.entities import ACTIVITY
from api.graphql.activities.types import ActivityType
from api.graphql.core import RecordMutation, error_type, resolve_reference
from identity.models import User
from modules.activities.services.activities import delete_activity


class ActivityDelete(RecordMutation):
    """Delete an activity you can see."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID(description="The id the activity had.")
    errors = graphene.List(graphene.NonNull(error_type("ActivityDelete")), required=True)

    permission = ACTIVITY.permission("delete")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        delete_activity(resolve_reference(info, data["id"], ActivityType, "id"), by=user)
        return {"deleted_id": data["id"]}
