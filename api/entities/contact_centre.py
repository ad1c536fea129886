"""The contact centre (the service module): phone calls, SMS sent to customers about their cases, and
the customers' satisfaction (CSAT) answers.

All three arrive from elsewhere (the telephony provider's callbacks, the case hooks, the customer's
answer on the survey page), so they are read only: listed and read, never written through the APIs.
Calls are listed to every role with ``service.view``, as the call pages are; SMS and CSAT answers
with their case, to those who may see it. Their contacts, companies, leads and activities follow the
link rule. Provider ids, survey link hashes and expiry are internal and never shown."""

from __future__ import annotations

from api.entities.base import (
    ID,
    EntityDescription,
    Field,
    Filter,
    FilterKind,
    by_id,
    choice,
    orderings,
    read_only,
    relation,
)
from modules.service.contact_centre.choices import CallDirection, CallStatus, SmsEvent, SmsStatus
from modules.service.contact_centre.models import Call, CsatSurvey, SmsMessage


def _created_after(description: str) -> Filter:
    return Filter("created_after", FilterKind.DATETIME, field="created_at", lookup="gte", description=description)


CALL = EntityDescription(
    name="call",
    resource="calls",
    model=Call,
    module="service",
    owner_field="",
    graphql_type="Call",
    fields=(
        ID,
        Field("direction", description="inbound or outbound."),
        Field("status", description="The provider's call status (queued, ringing, in-progress, completed, …)."),
        Field("customer_number", description="The customer's number (E.164)."),
        Field("workspace_number", description="The workspace's number the call went through (E.164)."),
        relation("agent", "The agent who placed or answered the call.", read_only=True),
        relation("contact", "The contact the call is about; null when you may not see it.", read_only=True),
        relation("company", "The company the call is about; null when you may not see it.", read_only=True),
        relation("lead", "The lead the call is about; null when you may not see it.", read_only=True),
        Field("duration", description="Seconds, once the call ended."),
        relation("activity", "The call activity logged on the timeline once it ended.", read_only=True),
        *read_only("created_at", "ended_at"),
    ),
    filters=(
        choice("direction", CallDirection),
        choice("status", CallStatus),
        by_id("agent", "User", "Calls of this agent (a User id)."),
        by_id("contact", "Contact", "Calls about this contact (a Contact id)."),
        by_id("company", "Company", "Calls about this company (a Company id)."),
        _created_after("Started at or after this time (ISO 8601)."),
    ),
    orderings=orderings("created_at", "ended_at", "duration"),
)

SMS_MESSAGE = EntityDescription(
    name="sms_message",
    resource="sms_messages",
    rest_resource="sms-messages",
    model=SmsMessage,
    module="service",
    owner_field="",
    graphql_type="SmsMessage",
    fields=(
        ID,
        Field("event", description="The case event it told of: case_opened, agent_replied or case_solved."),
        relation("case", "The case it is about.", read_only=True),
        relation("contact", "The customer; null when you may not see the contact.", read_only=True),
        Field("to_number", description="E.164."),
        Field("body", description="The text sent."),
        Field("status", description="pending, queued, sent, delivered, undelivered or failed."),
        Field("error_code", description="The provider's error code when it failed."),
        *read_only("created_at", "sent_at", "status_changed_at"),
    ),
    filters=(
        by_id("case", "Case", "SMS about this case (a Case id)."),
        by_id("contact", "Contact", "SMS to this contact (a Contact id)."),
        choice("status", SmsStatus),
        choice("event", SmsEvent),
        _created_after("Written at or after this time (ISO 8601)."),
    ),
    orderings=orderings("created_at", "sent_at"),
)

CSAT_ANSWER = EntityDescription(
    name="csat_answer",
    resource="csat_answers",
    rest_resource="csat-answers",
    model=CsatSurvey,
    module="service",
    owner_field="",
    graphql_type="CsatAnswer",
    fields=(
        ID,
        relation("case", "The solved case the customer was asked about.", read_only=True),
        relation("contact", "The customer; null when you may not see the contact.", read_only=True),
        relation("agent", "The case's agent when it was solved.", read_only=True),
        relation("team", "The case's queue when it was solved.", read_only=True),
        Field("rating", description="1 (very unsatisfied) to 5 (very satisfied)."),
        Field("comment"),
        *read_only("sent_at", "answered_at"),
    ),
    filters=(
        by_id("case", "Case", "The answer about this case (a Case id)."),
        by_id("agent", "User", "Answers about this agent's cases (a User id)."),
        Filter(
            "queue", FilterKind.NUMBER_ID, field="team", description="Answers about this queue's cases (a team id)."
        ),
        Filter(
            "answered_after",
            FilterKind.DATETIME,
            field="answered_at",
            lookup="gte",
            description="Answered at or after this time (ISO 8601).",
        ),
    ),
    orderings=orderings("answered_at", "rating"),
)
