from __future__ import annotations

from typing import Any

import graphene

from api.entities import CASE
from api.graphql.core import RecordMutation, error_type, reloaded, resolve_reference
from api.graphql.custom_fields.inputs import with_custom_values
from api.graphql.service.mutations.inputs import CaseInput, case_values
from api.graphql.service.types import CaseType
from customization.fields.choices import Entity
from identity.models import User
from modules.service.services.cases import delete_case, update_case


class CaseUpdate(RecordMutation):
    """Change the fields sent in ``input`` of a case you can see (a status change stamps its time)."""

    class Arguments:
        id = graphene.ID(required=True)
        input = CaseInput(required=True)

    case = graphene.Field(CaseType, description="Null when the case is no longer one you can see.")
    errors = graphene.List(graphene.NonNull(error_type("CaseUpdate")), required=True)

    module = CASE.module
    permission = CASE.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        case = resolve_reference(info, data["id"], CaseType, "id")
        update_case(case, by=user, **with_custom_values(info, Entity.CASE, case_values(info, data["input"])))
        return {"case": reloaded(CaseType, info, case)}


class CaseDelete(RecordMutation):
    """Delete a case you can see, with its messages and files."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID(description="The id the case had.")
    errors = graphene.List(graphene.NonNull(error_type("CaseDelete")), required=True)

    module = CASE.module
    permission = CASE.permission("delete")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        delete_case(resolve_reference(info, data["id"], CaseType, "id"), by=user)
        return {"deleted_id": data["id"]}
