"""Rate limits of /api/ and /graphql/: per tenant and per credential, RateLimit-* headers, 429s."""

from __future__ import annotations

import redis
from django.test import Client
from redis.backoff import NoBackoff
from redis.retry import Retry

from api.throttling import gcra
from identity.services.api_keys import create_api_key, known_scopes
from modules.contacts.models import Company
from tests.api.helpers import PROBLEM_BASE, post_graphql
from tests.api.rest_crm.helpers import api_client, post
from tests.tenancy import REP_EMAIL, TenantFixture


def rate_headers(response) -> tuple[str, str, str, str]:  # type: ignore[no-untyped-def]
    return (
        response["RateLimit-Limit"],
        response["RateLimit-Remaining"],
        response["RateLimit-Reset"],
        response["RateLimit-Policy"],
    )


def test_every_api_response_counts_down_the_tightest_limit(alpha: TenantFixture, limits):
    limits(tenant=10, credential=5)
    client = api_client(alpha)

    responses = [client.get("/api/v1/me") for _ in range(3)]

    assert [response.status_code for response in responses] == [200, 200, 200]
    # 5 per 60 s: one request's worth comes back every 12 s, so the limit is whole 12 s per request used.
    assert [rate_headers(response) for response in responses] == [
        ("5", "4", "12", "5;w=60, 10;w=60"),
        ("5", "3", "24", "5;w=60, 10;w=60"),
        ("5", "2", "36", "5;w=60, 10;w=60"),
    ]
    assert "Retry-After" not in responses[-1]


def test_graphql_responses_carry_the_headers_too(alpha: TenantFixture, limits):
    limits(tenant=10, credential=5)

    response = post_graphql(api_client(alpha), "{ me { email } }")

    assert response.status_code == 200
    assert rate_headers(response) == ("5", "4", "12", "5;w=60, 10;w=60")


def test_pages_outside_the_api_are_not_limited(alpha: TenantFixture, limits):
    limits(tenant=1, credential=1)
    client = alpha.client()

    responses = [client.get("/") for _ in range(3)]

    assert {response.status_code for response in responses} == {200}
    assert "RateLimit-Limit" not in responses[-1]


def test_a_refused_post_is_a_429_problem_with_retry_after_and_creates_nothing(alpha: TenantFixture, limits):
    limits(tenant=10, credential=2)
    client = api_client(alpha)
    with alpha.active():
        before = Company.objects.count()

    first, second, refused = (post(client, "/api/v1/companies/", {"name": f"Rate {n}"}) for n in range(3))

    assert (first.status_code, second.status_code, refused.status_code) == (201, 201, 429)
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json() == {
        "type": f"{PROBLEM_BASE}rate-limited",
        "title": "Too many requests",
        "status": 429,
        "detail": "Too many requests; retry after 30 seconds.",
        "instance": "/api/v1/companies/",
    }
    # 2 per 60 s: the next request's worth comes back 30 s after the first one.
    assert refused["Retry-After"] == "30"
    assert rate_headers(refused) == ("2", "0", "60", "2;w=60, 10;w=60")
    with alpha.active():
        assert Company.objects.count() == before + 2
        assert not Company.objects.filter(name="Rate 2").exists()


def test_over_the_limit_graphql_gets_a_graphql_error_and_the_mutation_does_not_run(alpha: TenantFixture, limits):
    limits(tenant=10, credential=1)
    client = api_client(alpha)
    mutation = 'mutation { companyCreate(input: {name: "Via GraphQL"}) { company { id } } }'

    post_graphql(client, "{ me { email } }")
    refused = post_graphql(client, mutation)

    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert refused.json() == {
        "errors": [{"message": "Too many requests; retry after 60 seconds.", "extensions": {"code": "RATE_LIMITED"}}]
    }
    with alpha.active():
        assert not Company.objects.filter(name="Via GraphQL").exists()


def test_one_credential_exhausted_leaves_another_its_own_budget_but_not_the_tenants(alpha: TenantFixture, limits):
    limits(tenant=3, credential=2)
    admin, rep = api_client(alpha), api_client(alpha, REP_EMAIL)

    admin_statuses = [admin.get("/api/v1/me").status_code for _ in range(3)]
    rep_first = rep.get("/api/v1/me")
    rep_second = rep.get("/api/v1/me")

    # The admin's refused third request spent nothing, so the tenant has one request left for the rep.
    assert admin_statuses == [200, 200, 429]
    assert rep_first.status_code == 200
    assert rate_headers(rep_first) == ("3", "0", "60", "3;w=60, 2;w=60")
    assert rep_second.status_code == 429
    assert rep_second["Retry-After"] == "20"


def test_a_tenant_exhausting_its_limit_does_not_touch_another_tenants(
    alpha: TenantFixture, beta: TenantFixture, limits
):
    limits(tenant=1, credential=1)
    # The same user id in both tenants: only the schema tells their counters apart.
    assert alpha.user().pk == beta.user().pk
    alpha_client = api_client(alpha)

    alpha_statuses = [alpha_client.get("/api/v1/me").status_code for _ in range(2)]
    beta_response = api_client(beta).get("/api/v1/me")

    assert alpha_statuses == [200, 429]
    assert beta_response.status_code == 200
    assert beta_response["RateLimit-Remaining"] == "0"
    assert beta_response["RateLimit-Reset"] == "60"


def test_the_budget_comes_back_with_time(alpha: TenantFixture, limits, clock):
    limits(tenant=10, credential=2)
    client = api_client(alpha)
    assert [client.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 429]

    clock.shift(30)
    half_way = [client.get("/api/v1/me") for _ in range(2)]
    clock.shift(60)
    whole_again = client.get("/api/v1/me")

    assert [response.status_code for response in half_way] == [200, 429]
    assert half_way[1]["Retry-After"] == "30"
    assert whole_again.status_code == 200
    assert rate_headers(whole_again)[:3] == ("2", "1", "30")


def test_anonymous_requests_are_limited_by_address_and_spend_nothing_of_the_tenants(alpha: TenantFixture, limits):
    limits(tenant=2, credential=2)
    anonymous = alpha.client(None)

    statuses = [anonymous.get("/api/v1/me").status_code for _ in range(3)]
    other_address = alpha.client(None, REMOTE_ADDR="192.0.2.7").get("/api/v1/me")
    signed_in = api_client(alpha).get("/api/v1/me")

    assert statuses == [401, 401, 429]
    assert other_address.status_code == 401
    assert signed_in.status_code == 200
    assert signed_in["RateLimit-Remaining"] == "1"


def test_behind_a_trusted_proxy_anonymous_clients_are_limited_one_by_one(alpha: TenantFixture, limits, settings):
    # given a trusted load balancer and small limits
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    limits(tenant=2, credential=2)
    first = alpha.client(None, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = alpha.client(None, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.2")
    forged = alpha.client(None, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.3")
    # when one client spends its budget, and an untrusted peer does the same naming another address
    first_statuses = [first.get("/api/v1/me").status_code for _ in range(3)]
    forged_statuses = [forged.get("/api/v1/me").status_code for _ in range(2)]
    forged_again = alpha.client(None, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.4")
    # then the other client behind the balancer is not held back, and the peer is held back whatever it claims
    assert first_statuses == [401, 401, 429]
    assert second.get("/api/v1/me").status_code == 401
    assert forged_statuses == [401, 401]
    assert forged_again.get("/api/v1/me").status_code == 429


def test_without_redis_requests_go_through_unlimited(alpha: TenantFixture, limits, monkeypatch):
    limits(tenant=1, credential=1)
    # A Redis nobody listens on: the limits cannot be counted.
    unreachable = redis.Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), 0)).register_script(gcra.SCRIPT)
    monkeypatch.setattr(gcra, "_script", unreachable)
    client = api_client(alpha)

    responses = [client.get("/api/v1/me") for _ in range(3)]

    assert {response.status_code for response in responses} == {200}
    assert "RateLimit-Limit" not in responses[-1]


def key_client(fixture: TenantFixture, name: str) -> Client:
    """A client on the fixture's host sending a new API key of its admin."""
    with fixture.active():
        _key, plaintext = create_api_key(user=fixture.user(), name=name, scopes=sorted(known_scopes()))
    return Client(HTTP_HOST=fixture.host, HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def test_two_keys_of_one_user_have_a_budget_each(alpha: TenantFixture, limits):
    limits(tenant=10, credential=2)
    key_a, key_b = key_client(alpha, "Key A"), key_client(alpha, "Key B")

    a_statuses = [key_a.get("/api/v1/me").status_code for _ in range(3)]
    b_response = key_b.get("/api/v1/me")

    assert a_statuses == [200, 200, 429]
    assert b_response.status_code == 200
    assert rate_headers(b_response)[:2] == ("2", "1")


def test_the_counters_live_under_the_tenants_schema(alpha: TenantFixture, limits):
    limits(tenant=10, credential=5)

    api_client(alpha).get("/api/v1/me")

    keys = sorted(key.decode() for key in gcra.limit_script().registered_client.keys("ratelimit:*"))
    schema = alpha.tenant.schema_name
    assert keys == [f"ratelimit:{{{schema}}}:credential:user:{alpha.user().pk}", f"ratelimit:{{{schema}}}:tenant"]
