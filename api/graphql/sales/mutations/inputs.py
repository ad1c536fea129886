"""Input objects of the lead and deal mutations; the services say what is required."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene

from api.graphql.contacts.types import CompanyType, ContactType, SourceEnum
from api.graphql.core import input_values
from api.graphql.identity.types import UserType
from api.graphql.sales.types import LeadStatusEnum, LeadType, PipelineType, StageType
from customization.fields.choices import Entity
from modules.contacts.services.tags import tags_from_names

LEAD_TEXT_FIELDS = frozenset(
    {"first_name", "last_name", "company_name", "job_title", "email", "phone", "website", "country", "source",
     "description", "name"}
)  # fmt: skip


class LeadInput(graphene.InputObjectType):
    custom_fields_entity: ClassVar[str] = Entity.LEAD  # ``custom`` in the tenant's schema

    first_name = graphene.String()
    last_name = graphene.String()
    company_name = graphene.String()
    job_title = graphene.String()
    email = graphene.String()
    phone = graphene.String()
    website = graphene.String()
    country = graphene.String(description="ISO 3166 code, e.g. RO.")
    source = graphene.InputField(SourceEnum)
    status = graphene.InputField(LeadStatusEnum, description="CONVERTED only through leadConvert.")
    estimated_value = graphene.Decimal()
    currency = graphene.String(description="ISO 4217 code, e.g. EUR.")
    description = graphene.String()
    owner = graphene.ID(description="A User id; the signed-in user when creating without one.")
    tags = graphene.List(graphene.NonNull(graphene.String), description="Tag names; new names create tags.")


class DealInput(graphene.InputObjectType):
    custom_fields_entity: ClassVar[str] = Entity.DEAL  # ``custom`` in the tenant's schema

    name = graphene.String()
    pipeline = graphene.ID(description="On create only; the default pipeline when not given.")
    stage = graphene.ID(description="On create only (then dealMove); the pipeline's first open stage when not given.")
    amount = graphene.Decimal()
    currency = graphene.String(description="ISO 4217 code; the tenant's base currency when not given.")
    probability = graphene.Int(description="Win probability in %; null uses the stage's.")
    expected_close_date = graphene.Date()
    owner = graphene.ID(description="A User id; the signed-in user when creating without one.")
    company = graphene.ID()
    contact = graphene.ID()
    lead = graphene.ID(description="On create only.")
    description = graphene.String()
    tags = graphene.List(graphene.NonNull(graphene.String), description="Tag names; new names create tags.")


def sales_values(info: Any, data: Any) -> dict[str, Any]:
    """Service keyword arguments: ids become visible records, tag names tags, null clears text."""
    references = {
        "owner": UserType,
        "company": CompanyType,
        "contact": ContactType,
        "lead": LeadType,
        "pipeline": PipelineType,
        "stage": StageType,
    }
    values = input_values(data, references=references, info=info)
    for name, value in list(values.items()):
        if value is None and name in LEAD_TEXT_FIELDS:
            values[name] = ""
    if "tags" in values:
        values["tags"] = tags_from_names(values["tags"] or [])
    return values
