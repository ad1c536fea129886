"""The host → tenant routing cache: no query per request, and every change applies at once."""

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenants import routing_cache
from tenants.choices import MigrationState
from tenants.models import Domain, Tenant
from tenants.services.lifecycle import transition_tenant
from tests.tenancy import TenantFixture

pytestmark = pytest.mark.usefixtures("_caches_on")


@pytest.fixture
def _caches_on(settings) -> None:  # type: ignore[no-untyped-def]
    settings.REQUEST_PATH_CACHES = True  # off by default in the suite (crm_platform/settings/test.py)


@pytest.fixture(autouse=True)
def _no_local_entries() -> Iterator[None]:
    routing_cache.forget_local()
    yield
    routing_cache.forget_local()


def _routing_queries(client, path: str = "/login/") -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    return status, sum('"tenants_domain"' in query["sql"] for query in queries.captured_queries)


def test_a_second_request_routes_without_reading_the_domain(alpha: TenantFixture):
    client = alpha.client(email=None)

    assert _routing_queries(client) == (200, 1)
    assert _routing_queries(client) == (200, 0)


def test_each_host_keeps_its_own_tenant(alpha: TenantFixture, beta: TenantFixture):
    for _round in range(2):
        alpha_page = alpha.client(email=None).get("/login/").content.decode()
        beta_page = beta.client(email=None).get("/login/").content.decode()

        assert "Alpha Ltd" in alpha_page
        assert "Beta Ltd" not in alpha_page
        assert "Beta Ltd" in beta_page
        assert "Alpha Ltd" not in beta_page


def test_a_suspension_applies_to_the_next_request(alpha: TenantFixture):
    client = alpha.client()
    assert client.get("/").status_code == 200

    transition_tenant(alpha.tenant, "suspended", actor="billing")

    assert client.post("/settings/teams/new/", {"name": "Night shift", "description": ""}).status_code == 403


def test_a_queryset_update_applies_to_the_next_request(alpha: TenantFixture):
    client = alpha.client(email=None)
    assert client.get("/login/").status_code == 200

    Tenant.objects.filter(pk=alpha.tenant.pk).update(migration_state=MigrationState.RUNNING)

    assert client.get("/login/").status_code == 503


def test_a_removed_domain_stops_routing_at_once(alpha: TenantFixture):
    client = alpha.client(email=None)
    assert client.get("/login/").status_code == 200

    Domain.objects.filter(domain=alpha.host).delete()

    assert client.get("/login/").status_code == 404


def test_a_change_made_in_another_process_is_seen_through_the_shared_generation(alpha: TenantFixture):
    client = alpha.client(email=None)
    assert client.get("/login/").status_code == 200
    # Another process changed the row and replaced the token; this process's entry is stale.
    Tenant.objects.filter(pk=alpha.tenant.pk).update(name="Alpha Renamed")
    routing_cache.replace_generation()

    assert "Alpha Renamed" in client.get("/login/").content.decode()


def test_each_request_gets_its_own_tenant_instance(alpha: TenantFixture):
    def load(host: str) -> Tenant:
        return Tenant.objects.get(pk=alpha.tenant.pk)

    first = routing_cache.cached_tenant(alpha.host, load)
    first.name = "changed by one request"

    assert routing_cache.cached_tenant(alpha.host, load).name == alpha.tenant.name
