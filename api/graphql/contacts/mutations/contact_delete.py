from __future__ import annotations

from typing import Any

import graphene

from api.entities import CONTACT
from api.graphql.contacts.types import ContactType
from api.graphql.core import RecordMutation, error_type, resolve_reference
from identity.models import User
from modules.contacts.services.contacts import delete_contact


class ContactDelete(RecordMutation):
    """Delete a contact you can see."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID(description="The id the contact had.")
    errors = graphene.List(graphene.NonNull(error_type("ContactDelete")), required=True)

    permission = CONTACT.permission("delete")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        contact = resolve_reference(info, data["id"], ContactType, "id")
        delete_contact(contact, by=user)
        return {"deleted_id": data["id"]}
