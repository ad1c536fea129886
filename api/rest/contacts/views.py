"""REST endpoints of the customer record: companies, contacts (with timelines) and tags."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, viewsets

from api.rest import filters
from api.rest.contacts.serializers import CompanySerializer, ContactSerializer, TagSerializer
from api.rest.custom_fields import CustomFieldsRecordViewSet
from api.rest.pagination import IdCursorPagination
from api.rest.records import RECORD_PERMISSIONS
from modules.contacts.choices import LifecycleStage, Source
from modules.contacts.models import Company, Contact, Tag
from modules.contacts.services.companies import create_company, delete_company, update_company
from modules.contacts.services.contacts import create_contact, delete_contact, update_contact


class CompanyFilter(django_filters.FilterSet):
    owner = django_filters.NumberFilter(field_name="owner_id")
    lifecycle_stage = django_filters.ChoiceFilter(choices=LifecycleStage.choices)
    source = django_filters.ChoiceFilter(choices=Source.choices)
    tag = filters.tag()
    email = django_filters.CharFilter(field_name="email", lookup_expr="iexact")
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact")
    q = filters.search("name")
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Company
        fields: list[str] = []


class ContactFilter(django_filters.FilterSet):
    company = django_filters.NumberFilter(field_name="company_id")
    owner = django_filters.NumberFilter(field_name="owner_id")
    lifecycle_stage = django_filters.ChoiceFilter(choices=LifecycleStage.choices)
    tag = filters.tag()
    email = django_filters.CharFilter(field_name="email", lookup_expr="iexact")
    q = filters.search("full_name")
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Contact
        fields: list[str] = []


class CompanyViewSet(CustomFieldsRecordViewSet):
    """Companies the user may see. Filters: owner, lifecycle_stage, source, tag, email, country, q,
    updated_after, ``custom.<key>[.<op>]``; ``ordering=`` name, created_at, updated_at, ``custom.<key>`` (``-`` for
    descending)."""

    module = "contacts"
    serializer_class = CompanySerializer
    filterset_class = CompanyFilter
    ordering_fields = ("name", "created_at", "updated_at")
    timeline_link = "company"
    create_service = staticmethod(create_company)
    update_service = staticmethod(update_company)
    delete_service = staticmethod(delete_company)

    def base_queryset(self) -> QuerySet[Company]:
        return Company.objects.select_related("owner").prefetch_related("tags").order_by("id")


class ContactViewSet(CustomFieldsRecordViewSet):
    """Contacts the user may see. Filters: company, owner, lifecycle_stage, tag, email, q, updated_after,
    ``custom.<key>[.<op>]``; ``ordering=`` full_name, created_at, updated_at, ``custom.<key>`` (``-`` for
    descending)."""

    module = "contacts"
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    ordering_fields = ("full_name", "created_at", "updated_at")
    timeline_link = "contact"
    create_service = staticmethod(create_contact)
    update_service = staticmethod(update_contact)
    delete_service = staticmethod(delete_contact)

    def base_queryset(self) -> QuerySet[Contact]:
        return Contact.objects.select_related("owner", "company").prefetch_related("tags").order_by("id")


class TagFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Tag
        fields: list[str] = []


class TagViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Tag]):
    """The tenant's tags in id order (``q`` filters by name); records take tags as names, so new
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
