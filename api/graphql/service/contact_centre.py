"""GraphQL of the contact centre (service module), read only, from ``api.entities.contact_centre``:
``calls`` (every role with ``service.view``, as the call pages), ``smsMessages`` and ``csatAnswers``
(those about the cases the caller may see; unanswered surveys left out). Links to contacts,
companies, leads, activities and cases follow the link rule."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet

from api.entities.contact_centre import CALL, CSAT_ANSWER, SMS_MESSAGE
from api.entities.graphql import choice_enum, connection_arguments, describe_fields, filter_records, type_fields
from api.graphql.activities.types import ActivityType
from api.graphql.contacts.types import CompanyType, ContactType
from api.graphql.core import ConnectionField, CountableConnection, Node, choice_field, module_enabled, visible_link
from api.graphql.identity.types import TeamType, UserType
from api.graphql.sales.types import LeadType
from api.graphql.service.types import CaseType, ServiceType, service_queryset, visible_case_rows
from modules.service.contact_centre.choices import CallDirection, CallStatus, SmsEvent, SmsStatus
from modules.service.contact_centre.models import Call, CsatSurvey, SmsMessage

CallDirectionEnum = choice_enum(CallDirection, "Whether the customer called or was called.")
CallStatusEnum = choice_enum(CallStatus, "The provider's status of a call.")
SmsStatusEnum = choice_enum(SmsStatus, "Whether an SMS was sent and delivered.")
SmsEventEnum = choice_enum(SmsEvent, "The case event an SMS told the customer of.")


class CallType(ServiceType):
    """A phone call through the telephony provider, in or out, logged as an activity once it ended."""

    direction = choice_field(CallDirectionEnum, "direction")
    status = choice_field(CallStatusEnum, "status")
    agent = graphene.Field(UserType)
    contact = graphene.Field(ContactType)
    company = graphene.Field(CompanyType)
    lead = graphene.Field(LeadType, description="Null while the sales module is not enabled.")
    activity = graphene.Field(ActivityType)

    class Meta:
        model = Call
        name = CALL.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(CALL)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        return service_queryset(info, queryset).select_related("agent")

    @staticmethod
    def resolve_agent(root: Call, info: Any) -> Any:
        return root.agent

    @staticmethod
    def resolve_contact(root: Call, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)

    @staticmethod
    def resolve_company(root: Call, info: Any) -> Any:
        return visible_link(root, info, "company", CompanyType)

    @staticmethod
    def resolve_lead(root: Call, info: Any) -> Any:
        return visible_link(root, info, "lead", LeadType) if module_enabled(info, "sales") else None

    @staticmethod
    def resolve_activity(root: Call, info: Any) -> Any:
        return visible_link(root, info, "activity", ActivityType)


def _of_visible_cases(info: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    service_queryset(info, queryset)
    return queryset.filter(case__in=visible_case_rows(info).values("pk"))


class SmsMessageType(ServiceType):
    """An SMS sent to a customer about one of their case's events."""

    event = choice_field(SmsEventEnum, "event")
    status = choice_field(SmsStatusEnum, "status")
    case = graphene.Field(CaseType)
    contact = graphene.Field(ContactType)

    class Meta:
        model = SmsMessage
        name = SMS_MESSAGE.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(SMS_MESSAGE)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        return _of_visible_cases(info, queryset)

    @staticmethod
    def resolve_case(root: SmsMessage, info: Any) -> Any:
        return visible_link(root, info, "case", CaseType)

    @staticmethod
    def resolve_contact(root: SmsMessage, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)


class CsatAnswerType(ServiceType):
    """A customer's satisfaction answer about a solved case (rating 1-5 and a comment)."""

    case = graphene.Field(CaseType)
    contact = graphene.Field(ContactType)
    agent = graphene.Field(UserType)
    team = graphene.Field(TeamType)

    class Meta:
        model = CsatSurvey
        name = CSAT_ANSWER.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = type_fields(CSAT_ANSWER)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        rows = _of_visible_cases(info, queryset).filter(answered_at__isnull=False)
        return rows.select_related("agent", "team")

    @staticmethod
    def resolve_case(root: CsatSurvey, info: Any) -> Any:
        return visible_link(root, info, "case", CaseType)

    @staticmethod
    def resolve_contact(root: CsatSurvey, info: Any) -> Any:
        return visible_link(root, info, "contact", ContactType)

    @staticmethod
    def resolve_agent(root: CsatSurvey, info: Any) -> Any:
        return root.agent

    @staticmethod
    def resolve_team(root: CsatSurvey, info: Any) -> Any:
        return root.team


for _type, _description in ((CallType, CALL), (SmsMessageType, SMS_MESSAGE), (CsatAnswerType, CSAT_ANSWER)):
    describe_fields(_type, _description)


class ContactCentreQueries(graphene.ObjectType):
    calls = ConnectionField(CallType, **connection_arguments(CALL), description="Phone calls, newest first.")
    sms_messages = ConnectionField(
        SmsMessageType, **connection_arguments(SMS_MESSAGE), description="SMS about the cases you can see."
    )
    csat_answers = ConnectionField(
        CsatAnswerType,
        **connection_arguments(CSAT_ANSWER),
        description="Satisfaction answers about the cases you can see.",
    )

    # Each resolver's queryset passes through its type's get_queryset (module, permission, visibility).

    def resolve_calls(self, info: Any, **args: Any) -> QuerySet[Call]:
        rows = filter_records(CALL, Call.objects.all(), args)
        return rows if args.get("order_by") else rows.order_by("-created_at", "-id")

    def resolve_sms_messages(self, info: Any, **args: Any) -> QuerySet[SmsMessage]:
        rows = filter_records(SMS_MESSAGE, SmsMessage.objects.all(), args)
        return rows if args.get("order_by") else rows.order_by("-created_at", "-id")

    def resolve_csat_answers(self, info: Any, **args: Any) -> QuerySet[CsatSurvey]:
        return filter_records(CSAT_ANSWER, CsatSurvey.objects.all(), args)
