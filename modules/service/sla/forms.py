"""Forms of the SLA settings pages: a calendar (its week as one line of intervals per weekday), a
hand-entered holiday, a policy with its targets per priority, and the compliance period."""

from __future__ import annotations

import re
import zoneinfo
from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from identity.models import Team
from modules.service.choices import CasePriority
from modules.service.sla.models import BusinessCalendar, SlaPolicy
from modules.service.sla.models.calendar import WEEKDAYS, clock_text
from modules.service.sla.models.policy import MAX_TARGET_MINUTES, TierSource
from modules.service.sla.services.calendars import country_choices

_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def parse_day(text: str) -> list[tuple[int, int]]:
    """ "09:00-12:00, 13:00-17:00" → [(540, 720), (780, 1020)] (24:00 ends the day)."""
    intervals = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        found = _INTERVAL.match(part)
        if not found:
            raise ValidationError(_("Write intervals as 09:00-12:00, separated by commas."))
        hours_from, minutes_from, hours_to, minutes_to = (int(group) for group in found.groups())
        start, end = hours_from * 60 + minutes_from, hours_to * 60 + minutes_to
        if minutes_from > 59 or minutes_to > 59 or start >= 1440 or end > 1440:
            raise ValidationError(_("Times go from 00:00 to 24:00."))
        if end <= start:
            raise ValidationError(_("An interval ends after it starts, on the same day (until 24:00 at most)."))
        intervals.append((start, end))
    return intervals


def day_text(calendar: BusinessCalendar, weekday: int) -> str:
    return ", ".join(
        f"{clock_text(interval.start_minute)}-{clock_text(interval.end_minute)}"
        for interval in calendar.intervals.all()
        if interval.weekday == weekday
    )


class CalendarForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), choices=())
    country = forms.ChoiceField(label=gettext_lazy("Public holidays of"), choices=(), required=False)
    subdivision = forms.CharField(
        label=gettext_lazy("Region"), max_length=10, required=False,
        help_text=gettext_lazy("A region's code (e.g. BY for Bavaria), for its own holidays."),
    )  # fmt: skip
    is_default = forms.BooleanField(label=gettext_lazy("Default calendar (queues without their own)"), required=False)
    team = forms.ModelChoiceField(label=gettext_lazy("Queue"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args: Any, calendar: BusinessCalendar | None = None, **kwargs: Any) -> None:
        if calendar is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": calendar.name, "time_zone": calendar.time_zone, "country": calendar.country,
                "subdivision": calendar.subdivision, "is_default": calendar.is_default, "team": calendar.team_id,
                **{f"day_{weekday}": day_text(calendar, weekday) for weekday, _label in WEEKDAYS},
            }  # fmt: skip
        super().__init__(*args, **kwargs)
        time_zone = cast(forms.ChoiceField, self.fields["time_zone"])
        country = cast(forms.ChoiceField, self.fields["country"])
        time_zone.choices = [(name, name) for name in sorted(zoneinfo.available_timezones())]
        country.choices = [("", "—"), *country_choices()]
        self.fields["team"].queryset = Team.objects.order_by("name")  # type: ignore[attr-defined]
        for weekday, label in WEEKDAYS:
            self.fields[f"day_{weekday}"] = forms.CharField(
                label=label, required=False, max_length=200, help_text=_("e.g. 09:00-12:00, 13:00-17:00")
            )
        self.order_fields(["name", "time_zone", *(f"day_{weekday}" for weekday, _label in WEEKDAYS)])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        intervals = []
        for weekday, _label in WEEKDAYS:
            name = f"day_{weekday}"
            try:
                intervals += [(weekday, start, end) for start, end in parse_day(cleaned.get(name) or "")]
            except ValidationError as error:
                self.add_error(name, error)
        cleaned["intervals"] = intervals
        return cleaned

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"], "time_zone": data["time_zone"], "country": data["country"],
            "subdivision": data["subdivision"].strip(), "is_default": data["is_default"], "team": data["team"],
            "intervals": data["intervals"],
        }  # fmt: skip


class HolidayForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)


class PolicyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    position = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, max_value=32767, initial=0)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    priorities = forms.MultipleChoiceField(
        label=gettext_lazy("For priorities (none: all)"), choices=CasePriority.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    tier_source = forms.ChoiceField(label=gettext_lazy("Customer tier of the"), choices=TierSource.choices)
    tier_field = forms.CharField(
        label=gettext_lazy("Tier custom field (key)"), max_length=40, required=False,
        help_text=gettext_lazy("Leave empty for every customer."),
    )  # fmt: skip
    tier_values = forms.CharField(
        label=gettext_lazy("Tier values"), max_length=1000, required=False,
        help_text=gettext_lazy("Separated by commas, e.g. gold, platinum."),
    )  # fmt: skip
    warning_percent = forms.IntegerField(
        label=gettext_lazy("Warn at (percent of the target)"), min_value=1, max_value=99
    )

    def __init__(self, *args: Any, policy: SlaPolicy | None = None, **kwargs: Any) -> None:
        if "initial" not in kwargs:
            kwargs["initial"] = {"warning_percent": 80, "is_active": True, "position": 0}
            if policy is not None:
                kwargs["initial"] = {
                    "name": policy.name, "position": policy.position, "is_active": policy.is_active,
                    "priorities": policy.priorities, "tier_source": policy.tier_source,
                    "tier_field": policy.tier_field, "tier_values": ", ".join(policy.tier_values),
                    "warning_percent": policy.warning_percent,
                }  # fmt: skip
                for target in policy.targets.all():
                    kwargs["initial"][f"targets.{target.priority}.first_response"] = target.first_response_minutes
                    kwargs["initial"][f"targets.{target.priority}.resolution"] = target.resolution_minutes
        super().__init__(*args, **kwargs)
        for priority, label in CasePriority.choices:
            for name, what in (("first_response", _("first response")), ("resolution", _("resolution"))):
                self.fields[f"targets.{priority}.{name}"] = forms.IntegerField(
                    label=_("%(priority)s: %(target)s (business minutes)") % {"priority": label, "target": what},
                    required=False, min_value=1, max_value=MAX_TARGET_MINUTES,
                )  # fmt: skip

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"], "position": data["position"], "is_active": data["is_active"],
            "priorities": data["priorities"], "tier_source": data["tier_source"],
            "tier_field": data["tier_field"],
            "tier_values": [value for value in data["tier_values"].split(",") if value.strip()],
            "warning_percent": data["warning_percent"],
            "targets": {
                priority: (data[f"targets.{priority}.first_response"], data[f"targets.{priority}.resolution"])
                for priority in CasePriority.values
            },
        }  # fmt: skip


class PeriodForm(forms.Form):
    """The compliance page's period: cases opened from ``start`` to ``end`` (both included)."""

    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def period(self) -> tuple[date, date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=29)
        return start, end

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("Choose an end after the start."))
        for name in ("start", "end"):
            value = cleaned.get(name)
            if value is not None and not (date(1900, 1, 1) <= value <= date(2999, 12, 31)):
                self.add_error(name, _("Choose a date between 1900 and 2999."))
        return cleaned
