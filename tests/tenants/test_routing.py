"""Host routing: tenant hosts, the public host, unknown and malformed hosts, health checks."""

import pytest
from django.test import Client

from tenants.choices import ProvisioningState
from tenants.models import Tenant
from tests.tenancy import TenantFixture


def test_a_tenant_host_serves_that_tenant(alpha: TenantFixture):
    response = alpha.client(email=None).get("/login/")

    assert response.status_code == 200
    assert "Alpha Ltd" in response.content.decode()
    assert "Beta Ltd" not in response.content.decode()


@pytest.mark.parametrize("host", ["nope.localhost", "alpha.beta.localhost", "localhost.localhost", "-.localhost"])
def test_an_unknown_host_gets_a_clear_404_and_no_data(db: None, alpha, host: str):
    response = Client(HTTP_HOST=host).get("/")

    body = response.content.decode()
    assert response.status_code == 404
    assert "There is no Relata workspace at this address" in body
    assert "Alpha" not in body


@pytest.mark.parametrize("host", ["evil.example.com", "bad host", "alpha.localhost:notaport"])
def test_a_malformed_or_foreign_host_gets_a_400(db: None, host: str):
    response = Client(HTTP_HOST=host).get("/")

    assert response.status_code == 400
    assert response.content.decode() == "Bad request: this host name is not served here."


def test_a_tenant_still_being_provisioned_is_not_served(alpha: TenantFixture):
    Tenant.objects.filter(pk=alpha.tenant.pk).update(provisioning_state=ProvisioningState.SEEDED)

    assert alpha.client(email=None).get("/login/").status_code == 404


def test_the_public_host_serves_the_public_site_only(db: None, alpha):
    client = Client(HTTP_HOST="localhost")

    assert client.get("/").status_code == 200
    assert client.get("/login/").status_code == 404
    assert client.get("/api/v1/me").status_code == 404


@pytest.mark.parametrize("host", ["alpha.localhost", "localhost", "nope.localhost"])
def test_health_endpoints_answer_on_any_host(db: None, host: str):
    client = Client(HTTP_HOST=host)

    live = client.get("/healthz")
    ready = client.get("/readyz")

    assert live.json() == {"status": "ok"}
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "broker": "ok"}}


def test_a_request_id_is_echoed_or_made(alpha: TenantFixture):
    client = alpha.client(email=None)

    given = client.get("/login/", headers={"X-Request-ID": "req-123"})
    made = client.get("/login/", headers={"X-Request-ID": "not valid!"})

    assert given["X-Request-ID"] == "req-123"
    assert len(made["X-Request-ID"]) == 32


def test_an_unknown_host_answers_api_clients_with_a_problem_document(db: None):
    response = Client(HTTP_HOST="nope.localhost").get("/api/v1/me")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "No workspace at this address",
        "status": 404,
        "detail": "No workspace is served at this address.",
    }
