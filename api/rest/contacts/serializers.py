"""REST representations of companies, contacts and tags; saves go through the contacts services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.rest.custom_fields import CustomValuesField
from api.rest.records import DuplicateCheckingSerializer, RelatedByIdField, TagNamesField, user_field
from modules.contacts.models import Company, Contact, Tag

ADDRESS_AND_CONTACT_POINTS = [
    "email", "additional_emails", "phone", "additional_phones", "street", "city", "region", "postal_code", "country",
]  # fmt: skip


def company_summary(company: Company | None) -> dict[str, Any] | None:
    return None if company is None else {"id": company.pk, "name": company.name}


def contact_summary(contact: Contact | None) -> dict[str, Any] | None:
    return None if contact is None else {"id": contact.pk, "full_name": contact.full_name}


def company_field() -> RelatedByIdField:
    return RelatedByIdField(Company, company_summary, owner_field="owner")


def contact_field() -> RelatedByIdField:
    return RelatedByIdField(Contact, contact_summary, owner_field="owner")


class CompanySerializer(DuplicateCheckingSerializer):
    owner = user_field()
    tags = TagNamesField()
    custom = CustomValuesField()

    class Meta:
        model = Company
        fields = [
            "id", "name", "website", "industry", "employee_count", "owner", "source", "lifecycle_stage",
            "description", *ADDRESS_AND_CONTACT_POINTS, "tags", "custom", "allow_duplicate", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "created_at", "updated_at"]


class ContactSerializer(DuplicateCheckingSerializer):
    owner = user_field()
    company = company_field()
    tags = TagNamesField()
    custom = CustomValuesField()

    class Meta:
        model = Contact
        fields = [
            "id", "first_name", "last_name", "full_name", "job_title", "department", "company", "owner", "source",
            "lifecycle_stage", "description", *ADDRESS_AND_CONTACT_POINTS, "tags", "custom", "allow_duplicate",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "full_name", "created_at", "updated_at"]


class TagSerializer(serializers.ModelSerializer[Tag]):
    class Meta:
        model = Tag
        fields = ["id", "name", "color"]
        read_only_fields = fields
