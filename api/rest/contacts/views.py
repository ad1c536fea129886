"""REST endpoints of the customer record: companies, contacts (with timelines) and tags."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, viewsets

from api.entities import COMPANY, CONTACT
from api.rest.contacts.serializers import CompanySerializer, ContactSerializer, TagSerializer
from api.rest.custom_fields import CustomFieldsRecordViewSet
from api.rest.filters import StrictFilterSet
from api.rest.pagination import IdCursorPagination
from api.rest.records import RECORD_PERMISSIONS
from modules.contacts.models import Tag


class CompanyViewSet(CustomFieldsRecordViewSet):
    """Companies the user may see: filters and orderings below (also ``custom.<key>[.<op>]`` and
    ``ordering=[-]custom.<key>``), ``fields=`` for fewer fields, ``bulk/`` for up to 500 at once."""

    entity = COMPANY
    serializer_class = CompanySerializer


class ContactViewSet(CustomFieldsRecordViewSet):
    """Contacts the user may see: filters and orderings below (also ``custom.<key>[.<op>]`` and
    ``ordering=[-]custom.<key>``), ``fields=`` for fewer fields, ``bulk/`` for up to 500 at once."""

    entity = CONTACT
    serializer_class = ContactSerializer


class TagFilter(StrictFilterSet):
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Tag
        fields: list[str] = []


class TagViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Tag]):
    """The tenant's tags in id order (``search`` filters by name); records take tags as names, so new
    tags appear by using them."""

    module = "contacts"
    action_permissions: ClassVar[dict[str, str]] = {}
    permission_classes = RECORD_PERMISSIONS
    serializer_class = TagSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = TagFilter
    pagination_class = IdCursorPagination

    def get_queryset(self) -> QuerySet[Any]:
        return Tag.objects.order_by("id")
