"""Leads and deals (the sales module)."""

from __future__ import annotations

from api.entities.base import (
    ID,
    TAG,
    TAGS,
    TIMESTAMPS,
    UPDATED_AFTER,
    EntityDescription,
    Field,
    Filter,
    FilterKind,
    by_id,
    choice,
    orderings,
    relation,
    search,
    text_exact,
    writable,
    writable_fields,
)
from customization.fields.choices import Entity
from modules.contacts.choices import Source
from modules.sales.choices import DealStatus, LeadStatus
from modules.sales.models import Deal, Lead
from modules.sales.services.deals import create_deal, delete_deal, update_deal
from modules.sales.services.leads import create_lead, delete_lead, update_lead

OWNER = relation("owner", "The user the record belongs to; the signed-in user when creating without one.")
OWNER_FILTER = by_id("owner", "User", "Records of this user (a User id).")

LEAD = EntityDescription(
    name="lead",
    resource="leads",
    model=Lead,
    module="sales",
    custom_entity=Entity.LEAD,
    graphql_type="Lead",
    timeline="lead",
    fields=(
        ID,
        *writable_fields("first_name", "last_name"),
        Field("full_name", description="First and last name, kept by the record."),
        *writable_fields("company_name", "job_title", "email", "phone", "website"),
        writable("country", "ISO 3166 code, e.g. RO."),
        writable("source"),
        writable("status", "Converted only through the conversion."),
        writable("estimated_value"),
        writable("currency", "ISO 4217 code, e.g. EUR."),
        writable("description"),
        OWNER,
        TAGS,
        Field("converted_at"),
        Field("converted_by", select=("converted_by",)),
        Field("converted_company", description="The company the lead became.", select=("converted_company",)),
        Field("converted_contact", description="The contact the lead became.", select=("converted_contact",)),
        Field("converted_deal", description="The deal the conversion opened.", select=("converted_deal",)),
        *TIMESTAMPS,
    ),
    filters=(
        OWNER_FILTER,
        choice("status", LeadStatus),
        choice("source", Source, "How the record first reached us."),
        TAG,
        text_exact("email", "The e-mail address (any case)."),
        search("full_name", "Words of the name, company name, e-mail or phone."),
        UPDATED_AFTER,
    ),
    orderings=orderings("full_name", "created_at", "updated_at"),
    create=create_lead,
    update=update_lead,
    delete=delete_lead,
)

STAGE = ("stage",)

DEAL = EntityDescription(
    name="deal",
    resource="deals",
    model=Deal,
    module="sales",
    custom_entity=Entity.DEAL,
    graphql_type="Deal",
    timeline="deal",
    fields=(
        ID,
        writable("name"),
        relation("pipeline", "Set on creation (the default pipeline when not given)."),
        Field("stage", writable=True, description="Set on creation; afterwards it changes by a move.", select=STAGE),
        Field("status"),
        writable("amount"),
        writable("currency", "ISO 4217 code; the tenant's base currency when not given."),
        writable("probability", "Win probability in %; null uses the stage's."),
        Field("effective_probability", description="The deal's or else its stage's, in %.", select=STAGE),
        Field("weighted_amount", description="Amount × effective probability.", select=STAGE),
        Field("is_rotting", description="Open and idle longer than its stage allows.", select=STAGE),
        writable("expected_close_date"),
        OWNER,
        relation("company"),
        # Loaded apart: joined with the others, the page's query cost ~40 ms to plan (relation()).
        relation("contact", separate=True),
        relation("lead", "The lead the deal came from; set on creation.", separate=True),
        TAGS,
        writable("description"),
        Field("closed_at"),
        Field("lost_reason", select=("lost_reason",)),
        Field("lost_note"),
        Field("stage_entered_at"),
        Field("last_activity_at"),
        *TIMESTAMPS,
    ),
    filters=(
        OWNER_FILTER,
        by_id("pipeline", "Pipeline", "A Pipeline id."),
        by_id("stage", "Stage", "A Stage id."),
        choice("status", DealStatus),
        by_id("company", "Company", "A Company id."),
        by_id("contact", "Contact", "A Contact id."),
        TAG,
        search("name", "Words of the name."),
        Filter(
            "close_after",
            FilterKind.DATE,
            field="expected_close_date",
            lookup="gte",
            description="Expected to close on or after.",
        ),
        Filter(
            "close_before",
            FilterKind.DATE,
            field="expected_close_date",
            lookup="lte",
            description="Expected to close on or before.",
        ),
        UPDATED_AFTER,
    ),
    orderings=orderings("name", "amount", "expected_close_date", "created_at", "updated_at"),
    create=create_deal,
    update=update_deal,
    delete=delete_deal,
)
