from __future__ import annotations

from typing import Any

import graphene

from api.entities import CASE
from api.graphql.core import RecordMutation, error_type, reloaded
from api.graphql.custom_fields.inputs import with_custom_values
from api.graphql.service.mutations.inputs import CaseInput, case_values
from api.graphql.service.types import CaseType
from customization.fields.choices import Entity
from identity.models import User
from modules.service.services.cases import create_case


class CaseCreate(RecordMutation):
    """Open a case (service module); assignment rules may choose its agent."""

    class Arguments:
        input = CaseInput(required=True)

    case = graphene.Field(CaseType, description="Null when the new case is not one you can see.")
    errors = graphene.List(graphene.NonNull(error_type("CaseCreate")), required=True)

    module = CASE.module
    permission = CASE.permission("change")

    @classmethod
    def perform(cls, info: Any, user: User, **data: Any) -> dict[str, Any]:
        case = create_case(by=user, **with_custom_values(info, Entity.CASE, case_values(info, data["input"])))
        return {"case": reloaded(CaseType, info, case)}

    @classmethod
    def required_fields(cls, data: dict[str, Any]) -> frozenset[str]:
        return frozenset({"subject"})
