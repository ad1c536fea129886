"""The time zone a page shows and reads times in: the user's own, else their tenant's."""

import zoneinfo

from django.http import HttpRequest


def zone_of(user: object, tenant: object) -> zoneinfo.ZoneInfo | None:
    """The first valid zone of ``user`` and ``tenant``; None keeps the project default."""
    for name in (getattr(user, "time_zone", ""), getattr(tenant, "time_zone", "")):
        if name:
            try:
                return zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return None


def user_time_zone(request: HttpRequest) -> zoneinfo.ZoneInfo | None:
    """The signed-in user's zone, else the tenant's."""
    return zone_of(getattr(request, "user", None), getattr(request, "tenant", None))
