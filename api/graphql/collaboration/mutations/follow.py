from __future__ import annotations

from typing import Any

import graphene

from api.graphql.collaboration.mutations.record import record_of
from api.graphql.core import RecordMutation, error_type
from identity.models import User
from modules.collaboration.services.follows import follow, unfollow


class RecordFollow(RecordMutation):
    """Follow a company, contact, lead, deal or order you can see, to be told when it changes
    (seeing it is enough; a read-only credential may not)."""

    class Arguments:
        record = graphene.ID(required=True, description="The global id of the record.")

    following = graphene.Boolean(description="Whether you now follow the record.")
    errors = graphene.List(graphene.NonNull(error_type("RecordFollow")), required=True)

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        follow(record_of(info, data["record"], user, permission="view", scope="change"), user=user)
        return {"following": True}


class RecordUnfollow(RecordMutation):
    """Stop following a record (nothing happens if you did not follow it)."""

    class Arguments:
        record = graphene.ID(required=True, description="The global id of the record.")

    following = graphene.Boolean(description="Whether you now follow the record.")
    errors = graphene.List(graphene.NonNull(error_type("RecordUnfollow")), required=True)

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        unfollow(record_of(info, data["record"], user, permission="view", scope="change"), user=user)
        return {"following": False}
