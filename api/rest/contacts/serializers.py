"""REST representations of companies, contacts and tags; saves go through the contacts services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.entities import COMPANY, CONTACT
from api.entities.rest import serializer_fields
from api.rest.custom_fields import CustomValuesField
from api.rest.records import DuplicateCheckingSerializer, RelatedByIdField, TagNamesField, user_field
from modules.contacts.models import Company, Contact, Tag


def company_summary(company: Company | None) -> dict[str, Any] | None:
    return None if company is None else {"id": company.pk, "name": company.name}


def contact_summary(contact: Contact | None) -> dict[str, Any] | None:
    return None if contact is None else {"id": contact.pk, "full_name": contact.full_name}


def company_field() -> RelatedByIdField:
    return RelatedByIdField(Company, company_summary, owner_field="owner")


def contact_field() -> RelatedByIdField:
    return RelatedByIdField(Contact, contact_summary, owner_field="owner")


class CompanySerializer(DuplicateCheckingSerializer):
    entity = COMPANY
    owner = user_field()
    tags = TagNamesField()
    custom = CustomValuesField()

    class Meta:
        model = Company
        fields = serializer_fields(COMPANY, "allow_duplicate")
        read_only_fields = COMPANY.read_only_names


class ContactSerializer(DuplicateCheckingSerializer):
    entity = CONTACT
    owner = user_field()
    company = company_field()
    tags = TagNamesField()
    custom = CustomValuesField()

    class Meta:
        model = Contact
        fields = serializer_fields(CONTACT, "allow_duplicate")
        read_only_fields = CONTACT.read_only_names


class TagSerializer(serializers.ModelSerializer[Tag]):
    class Meta:
        model = Tag
        fields = ["id", "name", "color"]
        read_only_fields = fields
