"""Input objects of the lead, deal, product and quote mutations; the services say what is required."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import graphene
from django.utils.translation import gettext as _
from graphene.utils.str_converters import to_camel_case

from api.graphql.contacts.types import CompanyType, ContactType, SourceEnum
from api.graphql.core import MutationFailed, input_values
from api.graphql.identity.types import UserType
from api.graphql.sales.types import LeadStatusEnum, LeadType, PipelineType, ProductType, StageType
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


class ProductInput(graphene.InputObjectType):
    name = graphene.String()
    sku = graphene.String(description="Unique regardless of case; blank for none.")
    description = graphene.String()
    unit = graphene.String(description="e.g. pcs, hour, licence.")
    unit_price = graphene.Decimal()
    currency = graphene.String(description="ISO 4217 code; EUR when not given.")
    tax_rate = graphene.Decimal(description="In %, 0 to 100.")
    is_active = graphene.Boolean(description="False retires the product: it is no longer offered for new lines.")


class QuoteInput(graphene.InputObjectType):
    """A draft quote's header; the quote takes its company, contact, owner and currency from the deal."""

    valid_until = graphene.Date(description="Not before the quote is issued.")
    discount_percent = graphene.Decimal(description="Whole-quote discount in %, 0 to 100.")
    notes = graphene.String()


class QuoteLineInput(graphene.InputObjectType):
    """All of a line's values (a change replaces them, as when adding): a product fills the
    description, price (the quote's price list first) and tax rate left empty."""

    product = graphene.ID(description="An active Product id.")
    description = graphene.String()
    quantity = graphene.Decimal(description="1 when not given.")
    unit_price = graphene.Decimal()
    discount_percent = graphene.Decimal(description="Line discount in %, 0 to 100.")
    tax_rate = graphene.Decimal(description="In %, 0 to 100.")


def product_values(data: Any) -> dict[str, Any]:
    """Catalogue service keyword arguments; null clears text."""
    values = finite_numbers(input_values(data))
    for name in ("name", "sku", "description", "unit"):
        if name in values and values[name] is None:
            values[name] = ""
    return values


def finite_numbers(values: dict[str, Any]) -> dict[str, Any]:
    """``values``, refusing NaN and infinite decimals by field (the services compare amounts)."""
    for name, value in values.items():
        if isinstance(value, Decimal) and not value.is_finite():
            raise MutationFailed(to_camel_case(name), _("Enter a number."), "INVALID")
    return values


def quote_values(data: Any) -> dict[str, Any]:
    """Quote service keyword arguments; null notes are blank notes."""
    values = finite_numbers(input_values(data))
    if "notes" in values and values["notes"] is None:
        values["notes"] = ""
    return values


def quote_line_values(info: Any, data: Any) -> dict[str, Any]:
    """Line service keyword arguments, with the defaults a new line gets; only active products."""
    values = finite_numbers(input_values(data, references={"product": ProductType}, info=info))
    product = values.get("product")
    if product is not None and not product.is_active:
        raise MutationFailed("product", _("This product is no longer offered."), "INVALID")
    values["description"] = values.get("description") or ""
    values.setdefault("quantity", Decimal("1"))
    return values
