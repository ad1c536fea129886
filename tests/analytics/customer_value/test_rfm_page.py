"""The RFM page: segments and customers, visibility, permission, plan, tenant isolation, bad
parameters, query counts."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.analytics.customer_value.conftest import buy
from tests.entitlements.helpers import without_modules
from tests.factories import CompanyFactory
from tests.tenancy import REP_EMAIL, TenantFixture, grant, with_session_of


def customers_of(alpha: TenantFixture, count: int, *, prefix: str, owner_email: str | None = None) -> None:
    """``count`` companies of one order each, on the same day: all in one segment (hibernating)."""
    with alpha.active():
        owner = alpha.user(owner_email) if owner_email else alpha.user()
        for n in range(count):
            buy(owner, company=CompanyFactory(name=f"{prefix} {n}", owner=owner), days_ago=20, amount="10.00")


def test_the_page_lists_segment_sizes_and_the_customers_of_a_segment_with_links(alpha: TenantFixture):
    customers_of(alpha, 3, prefix="Shop")
    client = alpha.client()

    response = client.get("/analytics/rfm/?period=12&segment=hibernating")

    assert response.status_code == 200
    summaries = {s.segment.key: s.customers for s in response.context["summaries"]}
    assert summaries["hibernating"] == 3
    assert sorted(row.name for row in response.context["customers"]) == ["Shop 0", "Shop 1", "Shop 2"]
    page = response.content.decode()
    with alpha.active():
        from modules.contacts.models import Company

        first = Company.objects.get(name="Shop 0")
    assert f'href="/companies/{first.pk}/"' in page


def test_a_rep_sees_only_their_own_customers_and_a_manager_sees_all(alpha: TenantFixture):
    grant(alpha, "sales_rep", "analytics.view")
    customers_of(alpha, 2, prefix="Rep's", owner_email=REP_EMAIL)
    customers_of(alpha, 3, prefix="Admin's")

    as_rep = alpha.client(REP_EMAIL).get("/analytics/rfm/?segment=hibernating")
    as_admin = alpha.client().get("/analytics/rfm/?segment=hibernating")

    assert sorted(row.name for row in as_rep.context["customers"]) == ["Rep's 0", "Rep's 1"]
    assert as_rep.context["scored"] == 2
    assert as_admin.context["scored"] == 5


def test_without_analytics_view_the_page_is_403_and_without_the_module_not_in_plan(alpha: TenantFixture):
    assert alpha.client(REP_EMAIL).get("/analytics/rfm/").status_code == 403
    without_modules(alpha, "analytics")
    response = alpha.client().get("/analytics/rfm/")
    assert response.status_code == 403
    assert "errors/not_in_plan.html" in [template.name for template in response.templates]


def test_another_tenant_sees_its_own_customers_and_a_stolen_session_signs_in(alpha: TenantFixture, beta: TenantFixture):
    customers_of(alpha, 2, prefix="Alpha only")

    as_beta = beta.client().get("/analytics/rfm/?segment=hibernating")
    stolen = with_session_of(alpha.client(), beta.host).get("/analytics/rfm/")

    assert as_beta.status_code == 200
    assert "Alpha only" not in as_beta.content.decode()
    assert stolen.status_code == 302
    assert stolen["Location"].startswith("/login/")


def test_unknown_period_segment_or_page_is_a_400_naming_it(alpha: TenantFixture):
    client = alpha.client()
    for query, name in (("period=7", "period"), ("segment=nope", "segment"), ("segment=loyal&page=0", "page")):
        response = client.get(f"/analytics/rfm/?{query}")
        assert response.status_code == 400
        assert response.content.decode().startswith(f"{name}:")
    assert client.get("/analytics/rfm/?period=%00").status_code == 400


def test_the_page_costs_the_same_queries_for_5_and_40_customers(alpha: TenantFixture):
    client = alpha.client()
    customers_of(alpha, 5, prefix="Few")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/analytics/rfm/?segment=hibernating").status_code == 200
    customers_of(alpha, 35, prefix="Many")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/analytics/rfm/?segment=hibernating")

    assert len(response.context["customers"]) == 40
    assert len(many) == len(few)
