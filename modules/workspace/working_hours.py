"""The workspace's working days and hours (``WorkspaceProfile``), read in the workspace's time zone
(``Tenant.time_zone``): the calendar shades them and new calls and meetings start inside them."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from modules.workspace.models import WorkspaceProfile
from modules.workspace.services import current_tenant, workspace_profile

# A new call or meeting starts on the next slot of this many minutes.
SLOT_MINUTES = 30


@dataclass(frozen=True)
class WorkingHours:
    days: tuple[int, ...]  # Monday = 0 … Sunday = 6
    start: time
    end: time
    zone: zoneinfo.ZoneInfo

    @classmethod
    def of(cls, profile: WorkspaceProfile, zone_name: str) -> WorkingHours:
        try:
            zone = zoneinfo.ZoneInfo(zone_name or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo("UTC")
        return cls(tuple(profile.working_days or ()), profile.working_hours_start, profile.working_hours_end, zone)

    def spans_in(self, viewer: zoneinfo.ZoneInfo, on: date) -> list[tuple[int, time, time | None]]:
        """The working hours as the ``viewer`` zone's clock shows them around ``on``: (weekday,
        start, end) spans, end None for midnight; a day that crosses the viewer's midnight is two."""
        spans: list[tuple[int, time, time | None]] = []
        for day in self.days:
            start = datetime.combine(on, self.start, tzinfo=self.zone).astimezone(viewer)
            end = datetime.combine(on, self.end, tzinfo=self.zone).astimezone(viewer)
            shift = (start.date() - on).days
            first_day = (day + shift) % 7
            if end.date() == start.date():
                spans.append((first_day, start.time(), end.time()))
                continue
            spans.append((first_day, start.time(), None))
            if end.time() != time.min:
                spans.append(((first_day + 1) % 7, time.min, end.time()))
        return spans

    def next_start(self, after: datetime) -> datetime | None:
        """The first slot (every ``SLOT_MINUTES`` past the hour) at or after ``after`` that falls
        within working hours, with room before they end; None without working days."""
        if not self.days:
            return None
        local = after.astimezone(self.zone)
        minutes = local.hour * 60 + local.minute + (1 if local.second or local.microsecond else 0)
        rounded = -(-minutes // SLOT_MINUTES) * SLOT_MINUTES
        day = local.date()
        for offset in range(8):
            candidate_day = day + timedelta(days=offset)
            if candidate_day.weekday() not in self.days:
                continue
            opening = datetime.combine(candidate_day, self.start, tzinfo=self.zone)
            closing = datetime.combine(candidate_day, self.end, tzinfo=self.zone)
            candidate = opening
            if offset == 0:
                slot = datetime.combine(candidate_day, time.min, tzinfo=self.zone) + timedelta(minutes=rounded)
                candidate = max(opening, slot)
            if candidate + timedelta(minutes=SLOT_MINUTES) <= closing:
                return candidate
        return None


def working_hours() -> WorkingHours:
    """The current workspace's working hours."""
    return WorkingHours.of(workspace_profile(), current_tenant().time_zone)
