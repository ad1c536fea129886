"""Service's root fields: cases, case statuses and case categories."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet

from api.entities import CASE
from api.entities.graphql import connection_arguments, filter_records
from api.graphql.core import ConnectionField
from api.graphql.custom_fields.connections import CustomFieldsConnectionField
from api.graphql.service.types import CaseCategoryType, CaseStatusType, CaseType
from modules.service.models import Case, CaseCategory, CaseStatus


class ServiceQueries(graphene.ObjectType):
    cases = CustomFieldsConnectionField(
        CaseType,
        entity=CASE.custom_entity,
        **connection_arguments(CASE),
        description="Cases you can see (service module): your agents' and the unassigned ones of your queues.",
    )
    case_statuses = ConnectionField(
        CaseStatusType, is_active=graphene.Boolean(), description="The tenant's case statuses, in their order."
    )
    case_categories = ConnectionField(
        CaseCategoryType, is_active=graphene.Boolean(), description="The tenant's case categories, by name."
    )

    # Each resolver's queryset passes through its type's get_queryset (module, permission, visibility).

    def resolve_cases(self, info: Any, **args: Any) -> QuerySet[Case]:
        return filter_records(CASE, Case.objects.all(), args)

    def resolve_case_statuses(
        self, info: Any, is_active: bool | None = None, **_pagination: Any
    ) -> QuerySet[CaseStatus]:
        queryset = CaseStatus.objects.order_by("position", "id")
        return queryset if is_active is None else queryset.filter(is_active=is_active)

    def resolve_case_categories(
        self, info: Any, is_active: bool | None = None, **_pagination: Any
    ) -> QuerySet[CaseCategory]:
        queryset = CaseCategory.objects.order_by("name", "id")
        return queryset if is_active is None else queryset.filter(is_active=is_active)
