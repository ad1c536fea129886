"""Rate limits of /api/ and /graphql/ requests, per tenant and per credential, with the
``RateLimit-*`` headers on every API response.

Two limits apply to an authenticated request: the tenant's budget, shared by all its credentials,
and the credential's own (``api.auth.credentials.credential_of(request).id``). An anonymous request
is limited by its client address alone and does not spend the tenant's budget: otherwise anyone
could lock a tenant's integrations out with unauthenticated requests. Both come from
``api.throttling.policy.api_limits_for`` (the tenant's plan). Counters live in Redis under the
tenant's schema name, so tenants never share one.

Over a limit the view does not run: the client gets a 429 with ``Retry-After`` (a problem
document under /api/, a GraphQL error under /graphql/). If Redis cannot be reached the request
goes through without headers: the API must not stop with the cache.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import redis
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from api.auth.credentials import credential_of
from api.errors import api_error, is_api_request
from api.throttling.gcra import Decision, take
from api.throttling.policy import api_limits_for

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
        if who is None:
            charged = [(f"{prefix}:address:{request.META.get('REMOTE_ADDR', '')}", limits.credential)]
        else:
            charged = [(f"{prefix}:credential:{who}", limits.credential), (f"{prefix}:tenant", limits.tenant)]
        try:
            decision = take(charged, now=time.time())
        except redis.RedisError:
            logger.warning("API rate limits unavailable; request let through", exc_info=True)
            return self.get_response(request)
        response = self.get_response(request) if decision.allowed else refusal(request, decision)
        add_headers(response, decision)
        return response


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
    detail = _("Too many requests; retry after %(seconds)s seconds.") % {"seconds": decision.retry_after_seconds}
    return api_error(
        request, status=429, problem="rate-limited", graphql_code="RATE_LIMITED", title=_("Too many requests"),
        detail=str(detail),
    )  # fmt: skip
