"""SLA settings (the service module): policies with their targets per priority, the business
calendars their targets are counted in (working intervals per weekday, a country's public holidays)
and the days off entered by hand.

They are settings: every role with ``service.view`` reads them (they explain a case's clock), and
``service.admin`` writes them, as on Settings → SLAs, through the same services (every change is in
the audit log and queues the recalculation of the open cases' clocks). A policy's targets and a
calendar's week are written whole with their record; holidays are records of their own."""

from __future__ import annotations

from api.entities.base import (
    ID,
    EntityDescription,
    Field,
    Filter,
    FilterKind,
    by_id,
    orderings,
    writable,
)
from modules.service.sla.models import BusinessCalendar, CalendarHoliday, SlaPolicy
from modules.service.sla.services.calendars import (
    create_calendar,
    create_holiday,
    remove_calendar,
    remove_holiday,
    update_calendar,
    update_holiday,
)
from modules.service.sla.services.policies import create_policy, remove_policy, update_policy

IS_ACTIVE = Filter("is_active", FilterKind.BOOLEAN, field="is_active", description="In use (true) or not.")

SLA_POLICY = EntityDescription(
    name="sla_policy",
    resource="sla_policies",
    rest_resource="sla-policies",
    model=SlaPolicy,
    module="service",
    owner_field="",
    graphql_type="SlaPolicy",
    fields=(
        ID,
        writable("name", "Unique."),
        writable("position", "Policies are tried in this order; the first that matches a case applies."),
        writable("is_active"),
        writable("priorities", "The case priorities it applies to (empty: any)."),
        writable("tier_source", "company or contact: whose custom field gives the customer's tier."),
        writable("tier_field", "The key of that custom field (empty: any tier)."),
        writable("tier_values", "The tiers it applies to, when tier_field is set."),
        writable("warning_percent", "Warn when this share of a target has passed (1-99)."),
        Field(
            "targets",
            writable=True,
            description="Per priority: first_response_minutes and resolution_minutes, in business minutes "
            "(null: no target). Written whole: the list replaces the policy's targets.",
            prefetch=("targets",),
        ),
        Field("updated_at"),
    ),
    filters=(IS_ACTIVE,),
    orderings=orderings("position", "name", "updated_at"),
    create=create_policy,
    update=update_policy,
    delete=remove_policy,
)

BUSINESS_CALENDAR = EntityDescription(
    name="business_calendar",
    resource="business_calendars",
    rest_resource="business-calendars",
    model=BusinessCalendar,
    module="service",
    owner_field="",
    graphql_type="BusinessCalendar",
    fields=(
        ID,
        writable("name", "Unique."),
        writable("time_zone", "An IANA zone (Europe/Berlin): working hours are its wall clock."),
        writable("country", "ISO 3166-1 code whose public holidays are days off (empty: none)."),
        writable("subdivision", "The country's region whose holidays also count (empty: national only)."),
        writable("is_default", "The calendar of queues without their own (one at most; setting it moves it)."),
        Field("team", writable=True, description="The queue (team id) this calendar is for, if any.", select=("team",)),
        Field(
            "intervals",
            writable=True,
            description="Working time per weekday (0 Monday … 6 Sunday), start_minute and end_minute from "
            "midnight (1440 is 24:00). Written whole: the list replaces the week.",
            prefetch=("intervals",),
        ),
        Field("updated_at"),
    ),
    filters=(
        Filter("queue", FilterKind.NUMBER_ID, field="team", description="The calendar of this team (a team id)."),
        Filter("is_default", FilterKind.BOOLEAN, field="is_default", description="The default calendar (true)."),
    ),
    orderings=orderings("name", "updated_at"),
    create=create_calendar,
    update=update_calendar,
    delete=remove_calendar,
)

CALENDAR_HOLIDAY = EntityDescription(
    name="calendar_holiday",
    resource="calendar_holidays",
    rest_resource="calendar-holidays",
    model=CalendarHoliday,
    module="service",
    owner_field="",
    graphql_type="CalendarHoliday",
    fields=(
        ID,
        Field(
            "calendar", writable=True, description="The business calendar (given on creation).", select=("calendar",)
        ),
        writable("date", "The day off (one per calendar and day)."),
        writable("name"),
    ),
    filters=(
        by_id("calendar", "BusinessCalendar", "Days off of this calendar (a BusinessCalendar id)."),
        Filter("date_after", FilterKind.DATE, field="date", lookup="gte", description="On or after this day."),
        Filter("date_before", FilterKind.DATE, field="date", lookup="lte", description="On or before this day."),
    ),
    orderings=orderings("date", "name"),
    create=create_holiday,
    update=update_holiday,
    delete=remove_holiday,
)
