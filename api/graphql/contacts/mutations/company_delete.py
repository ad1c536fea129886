from __future__ import annotations

from typing import Any

import graphene

from api.entities import COMPANY
from api.graphql.contacts.types import CompanyType
from api.graphql.core import RecordMutation, error_type, resolve_reference
from identity.models import User
from modules.contacts.services.companies import delete_company


class CompanyDelete(RecordMutation):
    """Delete a company you can see."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID(description="The id the company had.")
    errors = graphene.List(graphene.NonNull(error_type("CompanyDelete")), required=True)

    permission = COMPANY.permission("delete")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        company = resolve_reference(info, data["id"], CompanyType, "id")
        delete_company(company, by=user)
        return {"deleted_id": data["id"]}
