"""REST endpoints of the SLA settings (service module), from ``api.entities.sla``:

- ``/api/v1/sla-policies/``: policies in the order they are tried, each with its ``targets`` per
  priority (written whole with the policy);
- ``/api/v1/business-calendars/``: the calendars targets are counted in, each with its week of
  working ``intervals`` (written whole) and its country's public holidays;
- ``/api/v1/calendar-holidays/``: days off entered by hand (``?calendar=<id>``).
Reading needs ``service.view``, writing ``service.admin`` (the settings pages' permission) and the
``service:write`` scope. Every write goes through the SLA services: checked as on the pages, in the
audit log, and the open cases' clocks are recalculated after it."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from api.entities.rest import ordering_parameter, serializer_fields
from api.entities.sla import BUSINESS_CALENDAR, CALENDAR_HOLIDAY, SLA_POLICY
from api.rest.records import RecordViewSet, RelatedByIdField, ServiceSerializer
from api.rest.service.summaries import team_field
from modules.service.choices import CasePriority
from modules.service.sla.models import BusinessCalendar, CalendarHoliday, SlaPolicy, SlaTarget, WorkingInterval

ADMIN_WRITES = {"create": "admin", "update": "admin", "partial_update": "admin", "destroy": "admin", "bulk": "admin"}


class SlaTargetSerializer(serializers.ModelSerializer[SlaTarget]):
    class Meta:
        model = SlaTarget
        fields = ["priority", "first_response_minutes", "resolution_minutes"]


class SlaPolicySerializer(ServiceSerializer):
    entity = SLA_POLICY
    priorities = serializers.ListField(
        child=serializers.ChoiceField(choices=CasePriority.choices), required=False, max_length=len(CasePriority)
    )
    tier_values = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True), required=False, max_length=100
    )
    targets = SlaTargetSerializer(many=True, required=False, max_length=len(CasePriority) * 2)  # type: ignore[call-arg]

    class Meta:
        model = SlaPolicy
        fields = serializer_fields(SLA_POLICY)
        read_only_fields = SLA_POLICY.read_only_names
        extra_kwargs: ClassVar[dict[str, Any]] = {
            name: {"required": False}
            for name in ("position", "is_active", "tier_source", "tier_field", "warning_percent")
        }


class WorkingIntervalSerializer(serializers.ModelSerializer[WorkingInterval]):
    class Meta:
        model = WorkingInterval
        fields = ["weekday", "start_minute", "end_minute"]
        extra_kwargs: ClassVar[dict[str, Any]] = {
            "start_minute": {"max_value": 1440},
            "end_minute": {"max_value": 1440},
        }


class BusinessCalendarSerializer(ServiceSerializer):
    entity = BUSINESS_CALENDAR
    team = team_field()
    intervals = WorkingIntervalSerializer(many=True, required=False, max_length=7 * 48)  # type: ignore[call-arg]

    class Meta:
        model = BusinessCalendar
        fields = serializer_fields(BUSINESS_CALENDAR)
        read_only_fields = BUSINESS_CALENDAR.read_only_names
        extra_kwargs: ClassVar[dict[str, Any]] = {
            name: {"required": False} for name in ("country", "subdivision", "is_default")
        }


def calendar_summary(calendar: BusinessCalendar | None) -> dict[str, Any] | None:
    return None if calendar is None else {"id": calendar.pk, "name": calendar.name}


class CalendarHolidaySerializer(ServiceSerializer):
    entity = CALENDAR_HOLIDAY
    calendar = RelatedByIdField(BusinessCalendar, calendar_summary, required=True, allow_null=False)

    class Meta:
        model = CalendarHoliday
        fields = serializer_fields(CALENDAR_HOLIDAY)
        read_only_fields = CALENDAR_HOLIDAY.read_only_names
        # The service checks "one day off per calendar and day" (naming date), not DRF.
        validators: ClassVar[list[Any]] = []


class SlaSettingsViewSet(RecordViewSet):
    """Settings rows every role with ``service.view`` reads; ``service.admin`` writes them."""

    action_permissions: ClassVar[dict[str, str]] = ADMIN_WRITES

    def get_queryset(self) -> QuerySet[Any]:
        return self.base_queryset()


@extend_schema_view(list=extend_schema(parameters=[ordering_parameter(SLA_POLICY)]))
class SlaPolicyViewSet(SlaSettingsViewSet):
    """SLA policies in id order (``ordering=position`` for the order they are tried in). A case
    gets the first active policy, by position, whose priorities and customer tier it matches; its
    targets count business minutes in its queue's calendar (else the default calendar)."""

    entity = SLA_POLICY
    serializer_class = SlaPolicySerializer


@extend_schema_view(list=extend_schema(parameters=[ordering_parameter(BUSINESS_CALENDAR)]))
class BusinessCalendarViewSet(SlaSettingsViewSet):
    """Business calendars in id order: a time zone, working intervals per weekday, a country's (and
    region's) public holidays; days off entered by hand are under ``/calendar-holidays/``."""

    entity = BUSINESS_CALENDAR
    serializer_class = BusinessCalendarSerializer


@extend_schema_view(list=extend_schema(parameters=[ordering_parameter(CALENDAR_HOLIDAY)]))
class CalendarHolidayViewSet(SlaSettingsViewSet):
    """Days off entered by hand, in id order (``?calendar=<id>``, ``?date_after=``); a calendar's
    country's public holidays count too without being listed here."""

    entity = CALENDAR_HOLIDAY
    serializer_class = CalendarHolidaySerializer
