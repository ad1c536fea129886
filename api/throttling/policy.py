"""How many API requests a tenant and each of its credentials may make: the one place that knows.

Per minute, every tenant gets the installation's defaults (``API_RATE_LIMIT_TENANT_PER_MINUTE``,
``API_RATE_LIMIT_CREDENTIAL_PER_MINUTE``). Per day, the tenant's plan decides
(``api_requests_per_day``, no limit when empty): the tenant's authenticated requests of a UTC day
are counted, and once they reach the plan's number the rest of the day is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from tenants.models import Tenant

WINDOW_SECONDS = 60
DAY_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Quota:
    """``limit`` requests per ``window`` seconds."""

    limit: int
    window: int = WINDOW_SECONDS

    @property
    def policy(self) -> str:
        """The quota as a ``RateLimit-Policy`` item, e.g. ``600;w=60``."""
        return f"{self.limit};w={self.window}"


@dataclass(frozen=True)
class ApiLimits:
    """The tenant's shared budget and the budget of each credential (or anonymous address), and the
    tenant's requests per UTC day when its plan limits them."""

    tenant: Quota
    credential: Quota
    daily: Quota | None = None


def daily_limit_of(tenant: Tenant) -> int | None:
    """The plan's API requests per day, None for no limit: from the tenant row (billing keeps the
    plan's limits there), so an API request pays no query for it."""
    limit = (tenant.plan_limits or {}).get("api_requests_per_day")
    return None if limit is None else int(limit)


def api_limits_for(tenant: Tenant) -> ApiLimits:
    """The API rate limits of ``tenant``."""
    daily = daily_limit_of(tenant)
    return ApiLimits(
        tenant=Quota(max(1, int(settings.API_RATE_LIMIT_TENANT_PER_MINUTE))),
        credential=Quota(max(1, int(settings.API_RATE_LIMIT_CREDENTIAL_PER_MINUTE))),
        daily=None if daily is None else Quota(daily, window=DAY_SECONDS),
    )
