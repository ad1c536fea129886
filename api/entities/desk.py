"""The service desk's helpers (the service module): assignment rules, which pick the agent of a case
that arrives without one, and canned responses, replies agents insert with merge fields filled in.

Assignment rules are settings: every role with ``service.view`` reads them, ``service.admin`` writes
them (as on Settings → Service). Canned responses are shared (every agent sees them; written by
service admins) or personal to their owner (seen and written by their owner alone, with
``service.change``); a caller lists the shared ones and their own."""

from __future__ import annotations

from api.entities.base import (
    ID,
    TIMESTAMPS,
    EntityDescription,
    Field,
    Filter,
    FilterKind,
    by_id,
    choice,
    orderings,
    relation,
    writable,
)
from modules.service.choices import CaseChannel
from modules.service.desk.choices import AssignmentMethod
from modules.service.desk.models import AssignmentRule, CannedResponse
from modules.service.desk.services.assignment import add_rule, change_rule, remove_rule
from modules.service.desk.services.canned import add_canned_response, change_canned_response, remove_canned_response

ASSIGNMENT_RULE = EntityDescription(
    name="assignment_rule",
    resource="assignment_rules",
    rest_resource="assignment-rules",
    model=AssignmentRule,
    module="service",
    owner_field="",
    graphql_type="AssignmentRule",
    fields=(
        ID,
        writable("name"),
        Field("position", description="Rules are tried in this order (new rules come last)."),
        writable("is_active"),
        relation("category", "Only cases of this category (empty: any)."),
        writable("language", "Only cases in this language (an IETF tag such as de; empty: any)."),
        writable("channel", "Only cases that came in this way (empty: any)."),
        writable("priority", "Only cases of this priority (empty: any)."),
        Field("team", writable=True, description="Only cases in this queue (a team id; empty: any).", select=("team",)),
        writable("method", "round_robin, least_loaded or fixed."),
        Field(
            "queue",
            writable=True,
            description="Pick among this team's active members (a team id; empty: the case's own queue).",
            select=("queue",),
        ),
        relation("agent", "The agent of a fixed rule."),
        Field("created_at"),
    ),
    filters=(
        Filter("is_active", FilterKind.BOOLEAN, field="is_active", description="In use (true) or not."),
        choice("method", AssignmentMethod),
        choice("channel", CaseChannel),
        by_id("category", "CaseCategory", "Rules for this category (a CaseCategory id)."),
        Filter("queue", FilterKind.NUMBER_ID, field="queue", description="Rules picking in this team (a team id)."),
    ),
    orderings=orderings("position", "name", "created_at"),
    create=add_rule,
    update=change_rule,
    delete=remove_rule,
)

CANNED_RESPONSE = EntityDescription(
    name="canned_response",
    resource="canned_responses",
    rest_resource="canned-responses",
    model=CannedResponse,
    module="service",
    owner_field="",
    graphql_type="CannedResponse",
    fields=(
        ID,
        writable("title"),
        writable(
            "body",
            'The text, with merge fields filled from the case: {{ contact.first_name | "there" }}, '
            "{{ record.number }}, {{ company.name }}, {{ agent.first_name }} …",
        ),
        writable("shared", "true: every agent sees it (service admins write it); false: personal to its owner."),
        relation("owner", "Whose personal response it is (null for a shared one).", read_only=True),
        relation("created_by", "Who wrote it.", read_only=True),
        *TIMESTAMPS,
    ),
    filters=(
        Filter(
            "shared",
            FilterKind.BOOLEAN,
            field="owner",
            lookup="isnull",
            description="true: the shared responses; false: your own.",
        ),
        Filter(
            "search", FilterKind.TEXT, field="title", lookup="icontains", description="Titles containing this text."
        ),
    ),
    orderings=orderings("title", "created_at", "updated_at"),
    create=add_canned_response,
    update=change_canned_response,
    delete=remove_canned_response,
)
