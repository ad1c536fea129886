"""Companies and contacts (the customer record, always on)."""

from __future__ import annotations

from api.entities.base import (
    ID,
    TAG,
    TAGS,
    TIMESTAMPS,
    UPDATED_AFTER,
    EntityDescription,
    Field,
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
from modules.contacts.choices import LifecycleStage, Source
from modules.contacts.models import Company, Contact
from modules.contacts.services.companies import create_company, delete_company, update_company
from modules.contacts.services.contacts import create_contact, delete_contact, update_contact

CONTACT_POINTS = (
    writable("email", "The primary e-mail address."),
    *writable_fields("additional_emails", "phone", "additional_phones", "street", "city", "region", "postal_code"),
    writable("country", "ISO 3166 code, e.g. RO."),
)
OWNER = relation("owner", "The user the record belongs to; the signed-in user when creating without one.")
RECORD_FILTERS = (
    by_id("owner", "User", "Records of this user (a User id)."),
    choice("lifecycle_stage", LifecycleStage, "Where the record stands in the relationship."),
    TAG,
    text_exact("email", "The primary e-mail address (any case)."),
)

COMPANY = EntityDescription(
    name="company",
    resource="companies",
    model=Company,
    module="contacts",
    custom_entity=Entity.COMPANY,
    graphql_type="Company",
    timeline="company",
    fields=(
        ID,
        *writable_fields("name", "website", "industry", "employee_count"),
        OWNER,
        *writable_fields("source", "lifecycle_stage", "description"),
        *CONTACT_POINTS,
        TAGS,
        *TIMESTAMPS,
    ),
    filters=(
        *RECORD_FILTERS,
        choice("source", Source, "How the record first reached us."),
        text_exact("country", "ISO 3166 country code (any case)."),
        search("name", "Words of the name, e-mail or other searchable fields."),
        UPDATED_AFTER,
    ),
    orderings=orderings("name", "created_at", "updated_at"),
    create=create_company,
    update=update_company,
    delete=delete_company,
)

CONTACT = EntityDescription(
    name="contact",
    resource="contacts",
    model=Contact,
    module="contacts",
    custom_entity=Entity.CONTACT,
    graphql_type="Contact",
    timeline="contact",
    fields=(
        ID,
        *writable_fields("first_name", "last_name"),
        Field("full_name", description="First and last name, kept by the record."),
        *writable_fields("job_title", "department"),
        relation("company", "The company the person works at (one you can see)."),
        OWNER,
        *writable_fields("source", "lifecycle_stage", "description"),
        *CONTACT_POINTS,
        TAGS,
        *TIMESTAMPS,
    ),
    filters=(
        by_id("company", "Company", "People working at this company (a Company id)."),
        *RECORD_FILTERS,
        search("full_name", "Words of the name, e-mail or other searchable fields."),
        UPDATED_AFTER,
    ),
    orderings=orderings("full_name", "created_at", "updated_at"),
    create=create_contact,
    update=update_contact,
    delete=delete_contact,
)
