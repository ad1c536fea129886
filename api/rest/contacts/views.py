"""REST endpoints of the customer record: companies, contacts (with timelines) and tags."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import django_filters
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.entities import COMPANY, CONTACT
from api.rest.contacts.serializers import CompanySerializer, ContactSerializer, TagSerializer
from api.rest.custom_fields import CustomFieldsRecordViewSet
from api.rest.filters import StrictFilterSet
from api.rest.pagination import IdCursorPagination
from api.rest.records import RECORD_PERMISSIONS, acting_user
from modules.contacts.models import Tag
from modules.contacts.services.data_subject import erase_contact, export_json


class CompanyViewSet(CustomFieldsRecordViewSet):
    """Companies the user may see: filters and orderings below (also ``custom.<key>[.<op>]`` and
    ``ordering=[-]custom.<key>``), ``fields=`` for fewer fields, ``bulk/`` for up to 500 at once."""

    entity = COMPANY
    serializer_class = CompanySerializer


class ContactViewSet(CustomFieldsRecordViewSet):
    """Contacts the user may see: filters and orderings below (also ``custom.<key>[.<op>]`` and
    ``ordering=[-]custom.<key>``), ``fields=`` for fewer fields, ``bulk/`` for up to 500 at once.
    ``personal-data/`` and ``erase/`` answer data-subject requests (``contacts.privacy``)."""

    entity = CONTACT
    serializer_class = ContactSerializer
    action_permissions: ClassVar[dict[str, str]] = {
        "timeline": "view",
        "personal_data": "privacy",
        "erase": "privacy",
    }

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, filters=False)
    @action(detail=True, methods=["get"], url_path="personal-data")
    def personal_data(self, request: Request, pk: str | None = None) -> Response:
        """Everything held about the contact across every module, as JSON (audited)."""
        contact = self.get_object()
        return Response(json.loads(export_json(contact, by=acting_user(request))))

    @extend_schema(request=None, responses={204: None}, filters=False)
    @action(detail=True, methods=["post"])
    def erase(self, request: Request, pk: str | None = None) -> Response:
        """Erase the contact and their personal data in every module (audited; cannot be undone)."""
        contact = self.get_object()
        erase_contact(contact, by=acting_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


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
