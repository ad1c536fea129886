"""How many API requests a tenant and each of its credentials may make: the one place that knows.

Per minute, every tenant gets the installation's defaults (``API_RATE_LIMIT_TENANT_PER_MINUTE``,
``API_RATE_LIMIT_CREDENTIAL_PER_MINUTE``). Per day, the tenant's plan decides
(``api_requests_per_day``, no limit when empty): the tenant's authenticated requests of a UTC day
are counted, and once they reach the plan's number the rest of the day is refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from billing.entitlements import entitlements_for
from tenants.models import Tenant

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
DAY_SECONDS = 24 * 60 * 60
# How long the plan's daily limit is remembered per tenant: a plan change reaches the API within this.
DAILY_LIMIT_CACHE_SECONDS = 60
# Cached for a plan without a daily limit (a limit of 0 is a real one: no requests).
_NO_LIMIT = -1


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
    """The plan's API requests per day, None for no limit. Read through the cache, so an API request
    does not query the subscription each time; with the cache down, from the database."""
    key = f"api:daily-limit:{tenant.schema_name}"
    try:
        cached = cache.get(key)
    except Exception:
        logger.warning("cache unavailable; reading the plan's daily API limit", exc_info=True)
        return entitlements_for(tenant).api_requests_per_day
    if cached is None:
        limit = entitlements_for(tenant).api_requests_per_day
        cached = _NO_LIMIT if limit is None else limit
        try:
            cache.set(key, cached, timeout=DAILY_LIMIT_CACHE_SECONDS)
        except Exception:
            logger.warning("cache unavailable; daily API limit not remembered", exc_info=True)
    return None if cached == _NO_LIMIT else int(cached)


def api_limits_for(tenant: Tenant) -> ApiLimits:
    """The API rate limits of ``tenant``."""
    daily = daily_limit_of(tenant)
    return ApiLimits(
        tenant=Quota(max(1, int(settings.API_RATE_LIMIT_TENANT_PER_MINUTE))),
        credential=Quota(max(1, int(settings.API_RATE_LIMIT_CREDENTIAL_PER_MINUTE))),
        daily=None if daily is None else Quota(daily, window=DAY_SECONDS),
    )
