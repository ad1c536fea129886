"""A plan's API requests per day: counted per tenant and UTC day in Redis, refused past the limit
until midnight UTC, listed in RateLimit-Policy; another tenant keeps its own count."""

from __future__ import annotations

from api.throttling import gcra
from billing.usage import api_requests_key, count_usage
from tests.api.helpers import PROBLEM_BASE, post_graphql
from tests.api.limits.conftest import START
from tests.api.rest_crm.helpers import api_client
from tests.billing.usage.conftest import subscribe
from tests.tenancy import TenantFixture

# START is 09:00 UTC: fifteen hours to midnight.
SECONDS_TO_MIDNIGHT = 15 * 60 * 60


def test_the_request_past_the_plans_daily_limit_is_refused_until_midnight(
    alpha: TenantFixture, beta: TenantFixture, limits
) -> None:
    limits(tenant=100, credential=100)
    subscribe(alpha, api_requests_per_day=3)
    subscribe(beta, api_requests_per_day=3)
    client = api_client(alpha)

    allowed = [client.get("/api/v1/me") for _ in range(3)]
    refused = client.get("/api/v1/me")
    other_tenant = api_client(beta).get("/api/v1/me")

    assert [response.status_code for response in allowed] == [200, 200, 200]
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(SECONDS_TO_MIDNIGHT)
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json() == {
        "type": f"{PROBLEM_BASE}rate-limited",
        "title": "Too many requests",
        "status": 429,
        "detail": (
            "This workspace's plan allows 3 API requests per day, and today's are used up; "
            f"retry after {SECONDS_TO_MIDNIGHT} seconds (midnight UTC)."
        ),
        "instance": "/api/v1/me",
    }
    # The daily limit is the tightest once it is spent; the per-minute ones follow.
    assert refused["RateLimit-Limit"] == "3"
    assert refused["RateLimit-Remaining"] == "0"
    assert refused["RateLimit-Reset"] == str(SECONDS_TO_MIDNIGHT)
    assert refused["RateLimit-Policy"] == "3;w=86400, 100;w=60, 100;w=60"
    assert other_tenant.status_code == 200
    assert (other_tenant["RateLimit-Limit"], other_tenant["RateLimit-Remaining"]) == ("3", "2")
    # The refused request is not counted.
    assert count_usage(alpha.tenant).api_requests_today == 3
    assert count_usage(beta.tenant).api_requests_today == 1


def test_graphql_over_the_daily_limit_gets_a_graphql_error(alpha: TenantFixture, limits) -> None:
    limits(tenant=100, credential=100)
    subscribe(alpha, api_requests_per_day=1)
    client = api_client(alpha)

    first = post_graphql(client, "{ me { email } }")
    refused = post_graphql(client, "{ me { email } }")

    assert first.status_code == 200
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"] == {"code": "RATE_LIMITED"}
    assert "allows 1 API requests per day" in refused.json()["errors"][0]["message"]


def test_a_new_utc_day_starts_a_new_count(alpha: TenantFixture, limits, clock) -> None:
    limits(tenant=100, credential=100)
    subscribe(alpha, api_requests_per_day=2)
    client = api_client(alpha)
    assert [client.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 429]

    clock.shift(SECONDS_TO_MIDNIGHT - 1)
    still_today = client.get("/api/v1/me")
    clock.shift(1)
    tomorrow = client.get("/api/v1/me")

    assert still_today.status_code == 429
    assert still_today["Retry-After"] == "1"
    assert tomorrow.status_code == 200
    # A whole day's budget again, less this request.
    assert (tomorrow["RateLimit-Limit"], tomorrow["RateLimit-Remaining"], tomorrow["RateLimit-Reset"]) == (
        "2",
        "1",
        str(24 * 60 * 60),
    )


def test_without_a_daily_limit_requests_are_counted_in_a_key_that_expires(alpha: TenantFixture, limits) -> None:
    limits(tenant=100, credential=100)
    client = api_client(alpha)

    responses = [client.get("/api/v1/me") for _ in range(4)]

    assert {response.status_code for response in responses} == {200}
    assert responses[-1]["RateLimit-Policy"] == "100;w=60, 100;w=60"
    redis = gcra.limit_script().registered_client
    key = api_requests_key(alpha.tenant.schema_name, START.date())
    assert key == f"apiusage:{{{alpha.tenant.schema_name}}}:2026-03-02"
    assert int(redis.get(key)) == 4
    assert 2 * 24 * 60 * 60 - 5 <= redis.ttl(key) <= 2 * 24 * 60 * 60
