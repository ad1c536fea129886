from __future__ import annotations

from typing import Any

import graphene

from api.entities import CONTACT
from api.graphql.contacts.mutations.inputs import ContactInput, record_values
from api.graphql.contacts.types import ContactType
from api.graphql.core import RecordMutation, error_type, resolve_reference
from api.graphql.custom_fields.inputs import with_custom_values
from customization.fields.choices import Entity
from identity.models import User
from modules.contacts.services.contacts import update_contact


class ContactUpdate(RecordMutation):
    """Change the fields sent in ``input`` of a contact you can see; an explicit null clears a field."""

    class Arguments:
        id = graphene.ID(required=True)
        input = ContactInput(required=True)

    contact = graphene.Field(ContactType)
    errors = graphene.List(graphene.NonNull(error_type("ContactUpdate")), required=True)

    permission = CONTACT.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        contact = resolve_reference(info, data["id"], ContactType, "id")
        return {
            "contact": update_contact(
                contact, by=user, **with_custom_values(info, Entity.CONTACT, record_values(info, data["input"]))
            )
        }
