"""How many API requests a tenant and each of its credentials may make: the one place that knows.

Plans do not carry API limits yet, so every tenant gets the installation's defaults
(``API_RATE_LIMIT_TENANT_PER_MINUTE``, ``API_RATE_LIMIT_CREDENTIAL_PER_MINUTE``); once plans carry
them, ``api_limits_for`` reads the tenant's plan here and nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from tenants.models import Tenant

WINDOW_SECONDS = 60


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
    """The tenant's shared budget and the budget of each credential (or anonymous address)."""

    tenant: Quota
    credential: Quota


def api_limits_for(tenant: Tenant) -> ApiLimits:
    """The API rate limits of ``tenant``."""
    return ApiLimits(
        tenant=Quota(max(1, int(settings.API_RATE_LIMIT_TENANT_PER_MINUTE))),
        credential=Quota(max(1, int(settings.API_RATE_LIMIT_CREDENTIAL_PER_MINUTE))),
    )
