from __future__ import annotations

from typing import Any

import graphene

from api.graphql.contacts.mutations.inputs import CompanyInput, duplicate_errors, record_values
from api.graphql.contacts.types import CompanyType
from api.graphql.core import RecordMutation, error_type
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.contacts.models import Company
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

    permission = "contacts.change"

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        values = record_values(info, data["input"])
        return {"company": create_company(by=user, allow_duplicate=data["allow_duplicate"], **values), "duplicates": []}

    @classmethod
    def refuse(cls, info: Any, errors: list[dict[str, Any]], error: Exception | None = None) -> Any:
        duplicates: list[Company] = []
        if isinstance(error, DuplicateRecords):
            candidates = Company.objects.filter(pk__in=[candidate.pk for candidate in error.candidates])
            duplicates = list(restrict_to_visible(candidates, info.context.user).order_by("name", "id"))
        return cls(errors=duplicate_errors(errors, duplicates), duplicates=duplicates)
