from __future__ import annotations

from typing import Any

import graphene

from api.entities import COMPANY
from api.graphql.contacts.mutations.inputs import CompanyInput, record_values
from api.graphql.contacts.types import CompanyType
from api.graphql.core import RecordMutation, error_type
from api.graphql.custom_fields.inputs import with_custom_values
from customization.fields.choices import Entity
from identity.models import User
from modules.contacts.services.companies import create_company
from modules.contacts.services.duplicates import DuplicateRecords


class CompanyCreate(RecordMutation):
    """Create a company. One with a similar name or the same e-mail is refused as a DUPLICATE
    (``duplicates`` lists those you can see) unless ``allowDuplicate``."""

    class Arguments:
        input = CompanyInput(required=True)
        allow_duplicate = graphene.Boolean(default_value=False)

    company = graphene.Field(CompanyType)
    duplicates = graphene.List(graphene.NonNull(CompanyType), required=True)
    errors = graphene.List(graphene.NonNull(error_type("CompanyCreate")), required=True)

    permission = COMPANY.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        values = with_custom_values(info, Entity.COMPANY, record_values(info, data["input"]))
        return {"company": create_company(by=user, allow_duplicate=data["allow_duplicate"], **values), "duplicates": []}

    @classmethod
    def refuse(cls, info: Any, errors: list[dict[str, Any]], error: Exception | None = None) -> Any:
        # The service names (and lists) only the duplicates the caller may see.
        duplicates = list(error.visible_candidates) if isinstance(error, DuplicateRecords) else []
        return cls(errors=errors, duplicates=duplicates)
