from __future__ import annotations

from typing import Any

import graphene

from api.entities import CONTACT
from api.graphql.contacts.mutations.inputs import ContactInput, record_values
from api.graphql.contacts.types import ContactType
from api.graphql.core import RecordMutation, error_type
from api.graphql.custom_fields.inputs import with_custom_values
from customization.fields.choices import Entity
from identity.models import User
from modules.contacts.services.contacts import create_contact
from modules.contacts.services.duplicates import DuplicateRecords


class ContactCreate(RecordMutation):
    """Create a contact. One with the same e-mail or a similar name is refused as a DUPLICATE
    (``duplicates`` lists those you can see) unless ``allowDuplicate``."""

    class Arguments:
        input = ContactInput(required=True)
        allow_duplicate = graphene.Boolean(default_value=False)

    contact = graphene.Field(ContactType)
    duplicates = graphene.List(graphene.NonNull(ContactType), required=True)
    errors = graphene.List(graphene.NonNull(error_type("ContactCreate")), required=True)

    permission = CONTACT.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        values = with_custom_values(info, Entity.CONTACT, record_values(info, data["input"]))
        return {"contact": create_contact(by=user, allow_duplicate=data["allow_duplicate"], **values), "duplicates": []}

    @classmethod
    def refuse(cls, info: Any, errors: list[dict[str, Any]], error: Exception | None = None) -> Any:
        # The service names (and lists) only the duplicates the caller may see.
        duplicates = list(error.visible_candidates) if isinstance(error, DuplicateRecords) else []
        return cls(errors=errors, duplicates=duplicates)
