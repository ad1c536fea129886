"""Cases (the service module): customers' requests, numbered, in a queue, owned by an agent and
moving through the tenant's statuses. Their messages are nested under them (``<id>/messages/``,
``Case.messages``); statuses and categories are read-only lists."""

from __future__ import annotations

from api.entities.base import (
    ID,
    TIMESTAMPS,
    UPDATED_AFTER,
    EntityDescription,
    Field,
    Filter,
    FilterKind,
    by_id,
    choice,
    orderings,
    read_only,
    relation,
    text_exact,
    writable,
)
from customization.fields.choices import Entity
from modules.service.choices import CaseChannel, CasePriority, StatusCategory
from modules.service.models import Case
from modules.service.services.cases import create_case, delete_case, update_case

CASE = EntityDescription(
    name="case",
    resource="cases",
    model=Case,
    module="service",
    custom_entity=Entity.CASE,
    graphql_type="Case",
    fields=(
        ID,
        Field("number", description="C-<sequence>, given on creation."),
        writable("subject"),
        writable("description"),
        relation("contact", "The customer contact."),
        relation("company", "The customer company; the contact's company when not given."),
        writable("channel", "How the case came in; entered by an agent when not given."),
        writable("priority", "Normal when not given."),
        relation("status", "One of the tenant's case statuses; the first new one when not given."),
        relation("category", "What the case is about (one of the tenant's case categories)."),
        relation("team", "The queue: the team whose agents work the case."),
        relation("owner", "The agent; empty for an unassigned case (assignment rules may choose one)."),
        relation("deal", "A deal the case concerns."),
        relation("order", "An order the case concerns."),
        relation("product", "A product the case concerns."),
        writable("language", "The language the customer writes in (an IETF tag such as de)."),
        relation("merged_into", "The case this one was merged into.", read_only=True),
        *read_only("status_changed_at", "first_response_at", "solved_at", "closed_at"),
        *read_only("last_customer_message_at", "last_agent_message_at"),
        *TIMESTAMPS,
    ),
    filters=(
        by_id("status", "CaseStatus", "A CaseStatus id."),
        Filter(
            "status_category",
            FilterKind.CHOICE,
            field="status__category",
            choices=StatusCategory,
            description="Cases whose status is of this category.",
        ),
        choice("priority", CasePriority),
        choice("channel", CaseChannel),
        by_id("category", "CaseCategory", "A CaseCategory id."),
        Filter("queue", FilterKind.NUMBER_ID, field="team", description="Cases in this team's queue (a team id)."),
        by_id("agent", "User", "Cases of this agent (a User id).", field="owner"),
        Filter(
            "unassigned",
            FilterKind.BOOLEAN,
            field="owner",
            lookup="isnull",
            description="true: cases without an agent; false: cases with one.",
        ),
        by_id("contact", "Contact", "A Contact id."),
        by_id("company", "Company", "A Company id."),
        text_exact("number", "The case number (any case)."),
        Filter(
            "created_after",
            FilterKind.DATETIME,
            field="created_at",
            lookup="gte",
            description="Opened at or after this time (ISO 8601).",
        ),
        UPDATED_AFTER,
    ),
    orderings=orderings("number", "created_at", "updated_at", "status_changed_at", "first_response_at", "solved_at"),
    create=create_case,
    update=update_case,
    delete=delete_case,
)
