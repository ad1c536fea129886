"""REST endpoints of cases (service module): ``/api/v1/cases/`` from the entity description, with
their messages nested (``api.rest.service.messages``), and the tenant's case statuses and categories
(read-only). A caller sees the cases ``visible_cases`` gives, as on the pages: their owners' within
the role's visibility, plus the unassigned cases of their queues."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, serializers, viewsets

from api.entities import CASE
from api.entities.rest import serializer_fields
from api.rest import filters
from api.rest.activities.serializers import deal_summary
from api.rest.contacts.serializers import company_field, contact_field
from api.rest.custom_fields import CustomFieldsRecordViewSet, CustomValuesField
from api.rest.pagination import IdCursorPagination
from api.rest.records import RECORD_PERMISSIONS, RelatedByIdField, ServiceSerializer, acting_user, user_field
from api.rest.service.messages import CaseMessagesMixin
from api.rest.service.summaries import (
    case_summary,
    category_field,
    order_summary,
    product_summary,
    status_field,
    team_field,
)
from modules.sales.models import Deal, Order, Product
from modules.service.models import Case, CaseCategory, CaseStatus
from modules.service.selectors.cases import visible_cases


class CaseSerializer(ServiceSerializer):
    """A case; its conversation is under ``<id>/messages/``."""

    entity = CASE
    contact = contact_field()
    company = company_field()
    status = status_field()
    category = category_field()
    team = team_field()
    owner = user_field()
    deal = RelatedByIdField(Deal, deal_summary, owner_field="owner")
    order = RelatedByIdField(Order, order_summary, owner_field="owner")
    product = RelatedByIdField(Product, product_summary)
    merged_into = RelatedByIdField(Case, case_summary, read_only=True)
    custom = CustomValuesField()

    class Meta:
        model = Case
        fields = serializer_fields(CASE)
        read_only_fields = CASE.read_only_names
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "description": {"required": False},
            "language": {"required": False},
        }


class CaseViewSet(CaseMessagesMixin, CustomFieldsRecordViewSet):
    """Cases you can see: filters and orderings below (also ``custom.<key>[.<op>]`` and
    ``ordering=[-]custom.<key>``), ``fields=`` for fewer fields, ``bulk/`` for up to 500 at once.
    ``<id>/messages/`` lists the conversation and adds a reply or an internal note."""

    entity = CASE
    serializer_class = CaseSerializer
    # Messages: GET needs service.view, POST service.change (by method, like every record route).
    action_permissions: ClassVar[dict[str, str]] = {}

    def get_queryset(self) -> QuerySet[Any]:
        return visible_cases(acting_user(self.request), self.base_queryset())


class ServiceReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Any]):
    module = "service"
    action_permissions: ClassVar[dict[str, str]] = {}
    permission_classes = RECORD_PERMISSIONS
    pagination_class = IdCursorPagination
    filter_backends = [DjangoFilterBackend]


class CaseStatusSerializer(serializers.ModelSerializer[CaseStatus]):
    class Meta:
        model = CaseStatus
        fields = ["id", "key", "label", "category", "position", "is_active"]
        read_only_fields = fields


class CaseCategorySerializer(serializers.ModelSerializer[CaseCategory]):
    class Meta:
        model = CaseCategory
        fields = ["id", "name", "is_active"]
        read_only_fields = fields


class ActiveFilter(filters.StrictFilterSet):
    is_active = filters.StrictBooleanFilter()


class CaseStatusFilter(ActiveFilter):
    class Meta:
        model = CaseStatus
        fields: list[str] = []


class CaseCategoryFilter(ActiveFilter):
    class Meta:
        model = CaseCategory
        fields: list[str] = []


class CaseStatusViewSet(ServiceReadOnlyViewSet):
    """The tenant's case statuses in id order, each in its fixed category (new, open, pending,
    on_hold, solved, closed); ``?is_active=true`` for the ones offered."""

    serializer_class = CaseStatusSerializer
    filterset_class = CaseStatusFilter

    def get_queryset(self) -> QuerySet[CaseStatus]:
        return CaseStatus.objects.order_by("id")


class CaseCategoryViewSet(ServiceReadOnlyViewSet):
    """What cases are about, in id order; ``?is_active=true`` for the ones offered."""

    serializer_class = CaseCategorySerializer
    filterset_class = CaseCategoryFilter

    def get_queryset(self) -> QuerySet[CaseCategory]:
        return CaseCategory.objects.order_by("id")
