"""Rate limits of /api/ and /graphql/ requests, per tenant and per credential, with the
``RateLimit-*`` headers on every API response.

Two limits apply to an authenticated request: the tenant's budget, shared by all its credentials,
and the credential's own (``api.auth.credentials.credential_of(request).id``). An anonymous request
is limited by its client address alone and does not spend the tenant's budget: otherwise anyone
could lock a tenant's integrations out with unauthenticated requests. Both come from
``api.throttling.policy.api_limits_for`` (the tenant's plan). Counters live in Redis under the
tenant's schema name, so tenants never share one.

The tenant's authenticated requests are also counted per UTC day (``billing.usage`` reads the
count for the tenant's usage page); when its plan sets ``api_requests_per_day``, the request past
that number is refused until midnight UTC.

Over a limit the view does not run: the client gets a 429 with ``Retry-After`` (a problem
document under /api/, a GraphQL error under /graphql/). If Redis cannot be reached the request
goes through without headers: the API must not stop with the cache.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import redis
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from api.auth.credentials import credential_of
from api.errors import api_error, is_api_request
from api.throttling.gcra import DayCounter, Decision, take
from api.throttling.policy import Quota, api_limits_for
from billing.usage import api_requests_key
from identity.client_address import client_address

logger = logging.getLogger(__name__)


def credential_id(request: HttpRequest) -> str | None:
    """The id of the request's credential, None when it did not authenticate."""
    credential = credential_of(request)
    if credential is not None:
        return credential.id
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # A browser session the credential middleware did not describe: the id it gives sessions.
        return f"user:{user.pk}"
    return None


class RateLimitMiddleware:
    """Charges each API request to its tenant's and its credential's limits."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.schema_name == "public" or not is_api_request(request):
            return self.get_response(request)
        limits = api_limits_for(tenant)
        who = credential_id(request)
        # The schema in braces: both keys of a request land in one Redis Cluster slot, as a script needs.
        prefix = f"ratelimit:{{{tenant.schema_name}}}"
        now = time.time()
        counter = None
        if who is None:
            charged = [(f"{prefix}:address:{client_address(request)}", limits.credential)]
        else:
            charged = [(f"{prefix}:credential:{who}", limits.credential), (f"{prefix}:tenant", limits.tenant)]
            counter = day_counter(tenant.schema_name, limits.daily, now=now)
        try:
            decision = take(charged, now=now, counter=counter)
        except redis.RedisError:
            logger.warning("API rate limits unavailable; request let through", exc_info=True)
            return self.get_response(request)
        response = self.get_response(request) if decision.allowed else refusal(request, decision)
        add_headers(response, decision)
        return response


def day_counter(schema_name: str, quota: Quota | None, *, now: float) -> DayCounter:
    """The counter of the tenant's requests on the UTC day of ``now``."""
    moment = datetime.fromtimestamp(now, UTC)
    midnight = datetime.combine(moment.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    return DayCounter(
        key=api_requests_key(schema_name, moment.date()), quota=quota, seconds_left=(midnight - moment).total_seconds()
    )


def add_headers(response: HttpResponse, decision: Decision) -> None:
    tightest = decision.tightest
    others = [state.quota.policy for state in decision.states if state is not tightest]
    response["RateLimit-Limit"] = str(tightest.quota.limit)
    response["RateLimit-Remaining"] = str(tightest.remaining)
    response["RateLimit-Reset"] = str(tightest.reset_seconds)
    response["RateLimit-Policy"] = ", ".join([tightest.quota.policy, *others])
    if not decision.allowed:
        response["Retry-After"] = str(decision.retry_after_seconds)


def refusal(request: HttpRequest, decision: Decision) -> HttpResponse:
    """The 429 for a request over its limit: a problem document, or a GraphQL error body."""
    if decision.over_daily_limit and decision.daily is not None:
        detail = _(
            "This workspace's plan allows %(limit)s API requests per day, and today's are used up; "
            "retry after %(seconds)s seconds (midnight UTC)."
        ) % {"limit": decision.daily.quota.limit, "seconds": decision.retry_after_seconds}
    else:
        detail = _("Too many requests; retry after %(seconds)s seconds.") % {"seconds": decision.retry_after_seconds}
    return api_error(
        request, status=429, problem="rate-limited", graphql_code="RATE_LIMITED", title=_("Too many requests"),
        detail=str(detail),
    )  # fmt: skip
