"""The customer record's root fields: companies and contacts, with the filters and orderings of
their descriptions (``api.entities.contacts``)."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet

from api.entities import COMPANY, CONTACT
from api.entities.graphql import connection_arguments, filter_records, order_by_enum
from api.graphql.contacts.types import CompanyType, ContactType
from api.graphql.custom_fields.connections import CustomFieldsConnectionField
from modules.contacts.models import Company, Contact

CompanyOrderBy = order_by_enum(COMPANY)
ContactOrderBy = order_by_enum(CONTACT)


class ContactsQueries(graphene.ObjectType):
    companies = CustomFieldsConnectionField(
        CompanyType, entity=COMPANY.custom_entity, **connection_arguments(COMPANY), description="Companies you can see."
    )
    contacts = CustomFieldsConnectionField(
        ContactType, entity=CONTACT.custom_entity, **connection_arguments(CONTACT), description="Contacts you can see."
    )

    # ConnectionField passes each result through the type's get_queryset (permission, visibility, prefetching).

    def resolve_companies(self, info: Any, **args: Any) -> QuerySet[Company]:
        return filter_records(COMPANY, Company.objects.all(), args)

    def resolve_contacts(self, info: Any, **args: Any) -> QuerySet[Contact]:
        return filter_records(CONTACT, Contact.objects.all(), args)
