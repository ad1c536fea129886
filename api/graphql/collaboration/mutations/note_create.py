from __future__ import annotations

from typing import Any

import graphene

from api.graphql.collaboration.mutations.record import record_of
from api.graphql.collaboration.types import NoteType
from api.graphql.core import RecordMutation, error_type
from api.graphql.identity.types import UserType
from identity.models import User
from modules.collaboration.services.notes import create_note


class NoteCreate(RecordMutation):
    """Write a note on a company, contact, lead, deal or order you can see and change. ``body`` is
    HTML (bold, italic, lists, links; anything else is removed); a mention is a link to
    ``#mention-<user id>``. Mentioned users who can open the record are notified; the others are
    listed in ``notNotified``."""

    class Arguments:
        record = graphene.ID(required=True, description="The global id of the record.")
        body = graphene.String(required=True)

    note = graphene.Field(NoteType)
    not_notified = graphene.List(
        graphene.NonNull(UserType), required=True, description="Mentioned users who cannot open the record."
    )
    errors = graphene.List(graphene.NonNull(error_type("NoteCreate")), required=True)

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        record = record_of(info, data["record"], user, permission="change", scope="change")
        result = create_note(record=record, body=data["body"], by=user)
        return {"note": result.note, "not_notified": result.not_notified}

    @classmethod
    def refuse(cls, info: Any, errors: list[dict[str, Any]], error: Exception | None = None) -> Any:
        return cls(errors=errors, not_notified=[])
