"""The customer record's root fields: companies and contacts."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet

from api.graphql.contacts.types import CompanyType, ContactType, LifecycleStageEnum
from api.graphql.core import enum_value, id_argument, order_records, ordering_enum, search_records
from api.graphql.custom_fields.connections import CustomFieldsConnectionField
from customization.fields.choices import Entity
from modules.contacts.models import Company, Contact

CompanyOrderBy = ordering_enum(
    "CompanyOrderBy", {"NAME": "name", "CREATED_AT": "created_at", "UPDATED_AT": "updated_at"}
)
ContactOrderBy = ordering_enum(
    "ContactOrderBy", {"FULL_NAME": "full_name", "CREATED_AT": "created_at", "UPDATED_AT": "updated_at"}
)


def record_filters(order_by: type[graphene.Enum]) -> dict[str, Any]:
    return {
        "lifecycle_stage": graphene.Argument(LifecycleStageEnum),
        "owner": graphene.ID(description="A User id."),
        "tag": graphene.String(description="Records carrying the tag of that name (any case)."),
        "search": graphene.String(description="Words of the name, e-mail or other searchable fields."),
        "order_by": graphene.Argument(order_by, description="Id order when not given."),
    }


def filter_records(
    queryset: QuerySet[Any],
    *,
    name_field: str,
    lifecycle_stage: Any = None,
    owner: str | None = None,
    tag: str | None = None,
    search: str | None = None,
    order_by: Any = None,
) -> QuerySet[Any]:
    if lifecycle_stage is not None:
        queryset = queryset.filter(lifecycle_stage=enum_value(lifecycle_stage))
    if owner is not None:
        queryset = queryset.filter(owner_id=id_argument(owner, "User", "owner"))
    if tag:
        queryset = queryset.filter(tags__name__iexact=tag.strip()).distinct()
    return order_records(search_records(queryset, search, name_field), order_by)


class ContactsQueries(graphene.ObjectType):
    companies = CustomFieldsConnectionField(
        CompanyType, entity=Entity.COMPANY, **record_filters(CompanyOrderBy), description="Companies you can see."
    )
    contacts = CustomFieldsConnectionField(
        ContactType,
        entity=Entity.CONTACT,
        company=graphene.ID(description="A Company id: the people working there."),
        **record_filters(ContactOrderBy),
        description="Contacts you can see.",
    )

    def resolve_companies(self, info: Any, **args: Any) -> QuerySet[Company]:
        # ConnectionField passes the result through CompanyType.get_queryset (permission, visibility, prefetching).
        filters = {key: args.get(key) for key in ("lifecycle_stage", "owner", "tag", "search", "order_by")}
        return filter_records(Company.objects.all(), name_field="name", **filters)

    def resolve_contacts(self, info: Any, company: str | None = None, **args: Any) -> QuerySet[Contact]:
        queryset = Contact.objects.all()
        if company is not None:
            queryset = queryset.filter(company_id=id_argument(company, "Company", "company"))
        filters = {key: args.get(key) for key in ("lifecycle_stage", "owner", "tag", "search", "order_by")}
        return filter_records(queryset, name_field="full_name", **filters)
