"""GraphQL of the SLA settings (service module), from ``api.entities.sla``: ``slaPolicies`` (with
their ``targets``), ``businessCalendars`` (with their week of ``intervals``) and
``calendarHolidays``; ``slaPolicyCreate/Update/Delete``, ``businessCalendarCreate/Update/Delete`` and
``calendarHolidayCreate/Update/Delete`` (``service.admin``, through the SLA services as on Settings →
SLAs). Every role with ``service.view`` reads them."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from api.entities.graphql import choice_enum, connection_arguments, describe_fields, filter_records, type_fields
from api.entities.sla import BUSINESS_CALENDAR, CALENDAR_HOLIDAY, SLA_POLICY
from api.graphql.core import (
    ConnectionField,
    CountableConnection,
    MutationFailed,
    Node,
    choice_field,
    enum_value,
    input_values,
)
from api.graphql.identity.types import TeamType
from api.graphql.service.record_mutations import record_mutations
from api.graphql.service.types import CasePriorityEnum, ServiceType, service_queryset
from identity.models import Team
from modules.service.sla.models import BusinessCalendar, CalendarHoliday, SlaPolicy
from modules.service.sla.models.policy import TierSource

ADMIN = "service.admin"
TierSourceEnum = choice_enum(TierSource, "Whose custom field gives the customer's tier.")


class SlaTarget(graphene.ObjectType):
    """A policy's targets for one priority, in business minutes (null: no target)."""

    priority = graphene.Field(CasePriorityEnum, required=True)
    first_response_minutes = graphene.Int()
    resolution_minutes = graphene.Int()

    @staticmethod
    def resolve_priority(root: Any, info: Any) -> str:
        return str(root.priority)


class WorkingInterval(graphene.ObjectType):
    """Working time on one weekday (0 Monday … 6 Sunday), minutes from midnight in the calendar's zone."""

    weekday = graphene.Int(required=True)
    start_minute = graphene.Int(required=True)
    end_minute = graphene.Int(required=True)


class SlaPolicyType(ServiceType):
    """Targets for the cases it matches; policies are tried by position, the first match applies."""

    priorities = graphene.List(graphene.NonNull(CasePriorityEnum), required=True)
    tier_source = choice_field(TierSourceEnum, "tier_source")
    tier_values = graphene.List(graphene.NonNull(graphene.String), required=True)
    targets = graphene.List(graphene.NonNull(SlaTarget), required=True)

    class Meta:
        model = SlaPolicy
        name = SLA_POLICY.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = type_fields(SLA_POLICY)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        return service_queryset(info, queryset).prefetch_related("targets")

    @staticmethod
    def resolve_priorities(root: SlaPolicy, info: Any) -> list[str]:
        return list(root.priorities or [])

    @staticmethod
    def resolve_tier_values(root: SlaPolicy, info: Any) -> list[str]:
        return [str(value) for value in root.tier_values or []]

    @staticmethod
    def resolve_targets(root: SlaPolicy, info: Any) -> list[Any]:
        return list(root.targets.all())


class BusinessCalendarType(ServiceType):
    """When a queue works: a time zone, working intervals per weekday, public and entered holidays."""

    team = graphene.Field(TeamType, description=BUSINESS_CALENDAR.described_field("team").description)  # type: ignore[union-attr]
    intervals = graphene.List(graphene.NonNull(WorkingInterval), required=True)

    class Meta:
        model = BusinessCalendar
        name = BUSINESS_CALENDAR.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = type_fields(BUSINESS_CALENDAR)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        return service_queryset(info, queryset).select_related("team").prefetch_related("intervals")

    @staticmethod
    def resolve_intervals(root: BusinessCalendar, info: Any) -> list[Any]:
        return list(root.intervals.all())


class CalendarHolidayType(ServiceType):
    """A day off entered by hand in a business calendar."""

    calendar = graphene.Field(BusinessCalendarType, required=True)

    class Meta:
        model = CalendarHoliday
        name = CALENDAR_HOLIDAY.graphql_type
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = type_fields(CALENDAR_HOLIDAY)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Any], info: Any) -> QuerySet[Any]:
        return service_queryset(info, queryset).select_related("calendar")


for _type, _description in (
    (SlaPolicyType, SLA_POLICY),
    (BusinessCalendarType, BUSINESS_CALENDAR),
    (CalendarHolidayType, CALENDAR_HOLIDAY),
):
    describe_fields(_type, _description)


class SlaQueries(graphene.ObjectType):
    sla_policies = ConnectionField(SlaPolicyType, **connection_arguments(SLA_POLICY), description="SLA policies.")
    business_calendars = ConnectionField(
        BusinessCalendarType, **connection_arguments(BUSINESS_CALENDAR), description="Business calendars."
    )
    calendar_holidays = ConnectionField(
        CalendarHolidayType, **connection_arguments(CALENDAR_HOLIDAY), description="Days off entered by hand."
    )

    # Each resolver's queryset passes through its type's get_queryset (module, permission).

    def resolve_sla_policies(self, info: Any, **args: Any) -> QuerySet[SlaPolicy]:
        return filter_records(SLA_POLICY, SlaPolicy.objects.all(), args)

    def resolve_business_calendars(self, info: Any, **args: Any) -> QuerySet[BusinessCalendar]:
        return filter_records(BUSINESS_CALENDAR, BusinessCalendar.objects.all(), args)

    def resolve_calendar_holidays(self, info: Any, **args: Any) -> QuerySet[CalendarHoliday]:
        return filter_records(CALENDAR_HOLIDAY, CalendarHoliday.objects.all(), args)


class SlaTargetInput(graphene.InputObjectType):
    priority = CasePriorityEnum(required=True)
    first_response_minutes = graphene.Int(description="Business minutes; null for no target.")
    resolution_minutes = graphene.Int(description="Business minutes; null for no target.")


class SlaPolicyInput(graphene.InputObjectType):
    name = graphene.String()
    position = graphene.Int()
    is_active = graphene.Boolean()
    priorities = graphene.List(graphene.NonNull(CasePriorityEnum), description="Empty: any priority.")
    tier_source = TierSourceEnum()
    tier_field = graphene.String()
    tier_values = graphene.List(graphene.NonNull(graphene.String))
    warning_percent = graphene.Int()
    targets = graphene.List(graphene.NonNull(SlaTargetInput), description="Replaces the policy's targets when given.")


class WorkingIntervalInput(graphene.InputObjectType):
    weekday = graphene.Int(required=True, description="0 Monday … 6 Sunday.")
    start_minute = graphene.Int(required=True)
    end_minute = graphene.Int(required=True, description="At most 1440 (24:00).")


class BusinessCalendarInput(graphene.InputObjectType):
    name = graphene.String()
    time_zone = graphene.String()
    country = graphene.String()
    subdivision = graphene.String()
    is_default = graphene.Boolean()
    team = graphene.Int(description="A team id (the queue), or null for none.")
    intervals = graphene.List(graphene.NonNull(WorkingIntervalInput), description="Replaces the week when given.")


class CalendarHolidayInput(graphene.InputObjectType):
    calendar = graphene.ID(description="A BusinessCalendar id (on creation).")
    date = graphene.Date()
    name = graphene.String()


def _rows(value: Any) -> list[dict[str, Any]]:
    return [{key: enum_value(item) for key, item in dict(row).items()} for row in value or []]


def policy_values(info: Any, data: Any) -> dict[str, Any]:
    values = input_values(data)
    if "targets" in values:
        values["targets"] = _rows(data["targets"])
    return values


def calendar_values(info: Any, data: Any) -> dict[str, Any]:
    values = input_values(data)
    if "intervals" in values:
        values["intervals"] = _rows(data["intervals"])
    if values.get("team") is not None:
        team = Team.objects.filter(pk=values["team"]).first() if 0 < values["team"] < 2**63 else None
        if team is None:
            raise MutationFailed("team", _("No such team."), "NOT_FOUND")
        values["team"] = team
    return values


def holiday_values(info: Any, data: Any) -> dict[str, Any]:
    return input_values(data, references={"calendar": BusinessCalendarType}, info=info)


SlaMutations = type(
    "SlaMutations",
    (graphene.ObjectType,),
    {
        **record_mutations(SLA_POLICY, SlaPolicyType, SlaPolicyInput, policy_values, permission=ADMIN),
        **record_mutations(
            BUSINESS_CALENDAR, BusinessCalendarType, BusinessCalendarInput, calendar_values, permission=ADMIN
        ),
        **record_mutations(
            CALENDAR_HOLIDAY, CalendarHolidayType, CalendarHolidayInput, holiday_values, permission=ADMIN
        ),
    },
)
