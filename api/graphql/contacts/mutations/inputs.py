"""Input objects of the customer-record mutations. Every field is optional here: the services say
what is required, and their errors name the field."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from api.graphql.contacts.types import CompanyType, LifecycleStageEnum, SourceEnum
from api.graphql.core import input_values
from api.graphql.identity.types import UserType
from customization.fields.choices import Entity
from modules.contacts.services.tags import tags_from_names


class RecordInput(graphene.InputObjectType):
    owner = graphene.ID(description="A User id; the signed-in user when creating without one.")
    tags = graphene.List(graphene.NonNull(graphene.String), description="Tag names; new names create tags.")
    source = graphene.InputField(SourceEnum)
    lifecycle_stage = graphene.InputField(LifecycleStageEnum)
    description = graphene.String()
    email = graphene.String()
    additional_emails = graphene.List(graphene.NonNull(graphene.String))
    phone = graphene.String()
    additional_phones = graphene.List(graphene.NonNull(graphene.String))
    street = graphene.String()
    city = graphene.String()
    region = graphene.String()
    postal_code = graphene.String()
    country = graphene.String(description="ISO 3166 code, e.g. RO.")


class CompanyInput(RecordInput):
    custom_fields_entity: ClassVar[str] = Entity.COMPANY  # ``custom`` in the tenant's schema

    name = graphene.String()
    website = graphene.String()
    industry = graphene.String()
    employee_count = graphene.Int()


class ContactInput(RecordInput):
    custom_fields_entity: ClassVar[str] = Entity.CONTACT  # ``custom`` in the tenant's schema

    first_name = graphene.String()
    last_name = graphene.String()
    job_title = graphene.String()
    department = graphene.String()
    company = graphene.ID(description="A Company id.")


TEXT_FIELDS = frozenset(
    {
        "name", "website", "industry", "description", "email", "phone", "street", "city", "region", "postal_code",
        "country", "first_name", "last_name", "job_title", "department",
    }
)  # fmt: skip
LIST_FIELDS = frozenset({"additional_emails", "additional_phones"})


def record_values(info: Any, data: Any) -> dict[str, Any]:
    """Service keyword arguments from a company or contact input: ids become visible records, tag
    names become tags, and an explicit null clears a text or list field."""
    values = input_values(data, references={"owner": UserType, "company": CompanyType}, info=info)
    for name, value in list(values.items()):
        if value is None and name in TEXT_FIELDS:
            values[name] = ""
        elif value is None and name in LIST_FIELDS:
            values[name] = []
        elif value is None and name == "source":
            values[name] = ""
        elif value is None and name == "lifecycle_stage":
            raise ValidationError({"lifecycle_stage": ValidationError(_("This field cannot be null."), code="null")})
    if "tags" in values:
        values["tags"] = tags_from_names(values["tags"] or [])
    return values
