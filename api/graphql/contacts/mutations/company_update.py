from __future__ import annotations

from typing import Any

import graphene

from api.entities import COMPANY
from api.graphql.contacts.mutations.inputs import CompanyInput, record_values
from api.graphql.contacts.types import CompanyType
from api.graphql.core import RecordMutation, error_type, resolve_reference
from api.graphql.custom_fields.inputs import with_custom_values
from customization.fields.choices import Entity
from identity.models import User
from modules.contacts.services.companies import update_company


class CompanyUpdate(RecordMutation):
    """Change the fields sent in ``input`` of a company you can see; an explicit null clears a field."""

    class Arguments:
        id = graphene.ID(required=True)
        input = CompanyInput(required=True)

    company = graphene.Field(CompanyType)
    errors = graphene.List(graphene.NonNull(error_type("CompanyUpdate")), required=True)

    permission = COMPANY.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        company = resolve_reference(info, data["id"], CompanyType, "id")
        return {
            "company": update_company(
                company, by=user, **with_custom_values(info, Entity.COMPANY, record_values(info, data["input"]))
            )
        }
