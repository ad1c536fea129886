"""The customer lifetime value page, the customers-at-risk page and its action, and the company
page's customer-value card: figures, visibility, permissions, plan, tenants, bad input, queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from modules.activities.models import Activity
from modules.analytics.customer_value.models import CustomerValue
from modules.analytics.customer_value.services import refresh_customer_values
from modules.contacts.models import Company
from tests.analytics.customer_value.conftest import buy
from tests.entitlements.helpers import without_modules
from tests.factories import CompanyFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, grant, revoke


def stored(alpha: TenantFixture, count: int, *, prefix: str, alive: float = 0.9, owner_email: str | None = None):
    """``count`` companies with stored values (as a run would leave them)."""
    today = timezone.localdate()
    with alpha.active():
        owner = alpha.user(owner_email) if owner_email else alpha.user()
        return [
            CustomerValue.objects.create(
                company=CompanyFactory(name=f"{prefix} {n}", owner=owner),
                orders=3,
                first_ordered_on=today - timedelta(days=200),
                last_ordered_on=today - timedelta(days=100),
                historical_value=Decimal("300.00") + n,
                repeat_purchases=2,
                recency_days=100,
                age_days=200,
                expected_purchases=1.5,
                probability_alive=alive,
                expected_value=Decimal("100.00"),
                predicted_value=Decimal("150.00"),
            )
            for n in range(count)
        ]


def test_the_value_page_says_how_fresh_its_data_is(alpha: TenantFixture):
    client = alpha.client()
    assert "Not computed yet." in client.get("/analytics/customer-value/").content.decode()
    with alpha.active():
        buy(alpha.user(), company=CompanyFactory(name="Fresh"), days_ago=3, amount="75.00")
        refresh_customer_values()

    response = client.get("/analytics/customer-value/")

    assert response.status_code == 200
    assert "Data as of" in response.content.decode()
    assert [value.company.name for value in response.context["values"]] == ["Fresh"]
    assert response.context["totals"].historical == Decimal("75.00")


def test_a_rep_sees_the_values_of_their_own_customers_only(alpha: TenantFixture):
    grant(alpha, "sales_rep", "analytics.view")
    stored(alpha, 2, prefix="Rep's", owner_email=REP_EMAIL)
    stored(alpha, 3, prefix="Admin's")

    as_rep = alpha.client(REP_EMAIL).get("/analytics/customer-value/")
    as_admin = alpha.client().get("/analytics/customer-value/")

    assert sorted(value.company.name for value in as_rep.context["values"]) == ["Rep's 0", "Rep's 1"]
    assert as_admin.context["totals"].customers == 5


def test_the_value_page_costs_the_same_queries_for_5_and_40_customers(alpha: TenantFixture):
    client = alpha.client()
    stored(alpha, 5, prefix="Few")
    with CaptureQueriesContext(connection) as few:
        client.get("/analytics/customer-value/")
    stored(alpha, 35, prefix="Many")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/analytics/customer-value/")

    assert len(response.context["values"]) == 40
    assert len(many) == len(few)


def rfm_at_risk(alpha: TenantFixture) -> dict[int, Company]:
    """Customer i has i+1 orders, the last 10+20(4-i) days ago: 3 is "At risk", 4 "Can't lose them"."""
    with alpha.active():
        by = alpha.user()
        companies = {}
        for i in range(5):
            companies[i] = CompanyFactory(name=f"Risk {i}", owner=by)
            for n in range(i + 1):
                buy(by, company=companies[i], days_ago=10 + 20 * i + n, amount="10.00")
        return companies


def test_customers_at_risk_come_from_rfm_and_from_a_low_probability_alive(alpha: TenantFixture):
    rfm_at_risk(alpha)
    stored(alpha, 1, prefix="Fading", alive=0.2)
    stored(alpha, 1, prefix="Healthy", alive=0.9)

    response = alpha.client().get("/analytics/churn/")

    assert response.status_code == 200
    rows = {row.name: (row.segment_label, row.probability_alive) for row in response.context["rows"]}
    assert rows == {"Risk 3": ("At risk", None), "Risk 4": ("Can't lose them", None), "Fading 0": (None, 0.2)}


def test_an_activity_is_created_for_each_customer_at_risk(alpha: TenantFixture):
    companies = rfm_at_risk(alpha)
    [fading] = stored(alpha, 1, prefix="Fading", alive=0.2)

    response = alpha.client().post(
        "/analytics/churn/?period=12", {"activity_kind": "call", "activity_subject": "Win back"}
    )

    assert response.status_code == 302, (response.context["form"].errors, response.context["failures"])
    with alpha.active():
        linked = set(Activity.objects.filter(subject="Win back").values_list("company_id", flat=True))
    assert linked == {companies[3].pk, companies[4].pk, fading.company_id}


def test_the_action_needs_activities_change_and_a_valid_form(alpha: TenantFixture):
    rfm_at_risk(alpha)
    client = alpha.client()

    invalid = client.post("/analytics/churn/", {"activity_kind": "call", "activity_subject": "Bad\x00"})
    missing = client.post("/analytics/churn/", {"activity_kind": "call", "activity_subject": ""})
    revoke(alpha, "admin", "activities.change")
    refused = client.post("/analytics/churn/", {"activity_kind": "call", "activity_subject": "Win back"})

    assert invalid.status_code == 400
    assert "activity_subject" in invalid.context["form"].errors
    assert missing.status_code == 400
    assert refused.status_code == 403
    with alpha.active():
        assert not Activity.objects.filter(subject__in=["Win back", "Bad"]).exists()


def test_the_churn_list_costs_the_same_queries_for_5_and_30_customers(alpha: TenantFixture):
    client = alpha.client()
    stored(alpha, 5, prefix="Few", alive=0.1)
    with CaptureQueriesContext(connection) as few:
        client.get("/analytics/churn/")
    stored(alpha, 25, prefix="Many", alive=0.1)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/analytics/churn/")

    assert len(response.context["rows"]) == 30
    assert len(many) == len(few)


def test_the_company_page_loads_the_card_with_segment_values_and_probability(alpha: TenantFixture):
    companies = rfm_at_risk(alpha)
    with alpha.active():
        refresh_customer_values()
    client = alpha.client()
    company = companies[4]

    page = client.get(f"/companies/{company.pk}/").content.decode()
    card = client.get(f"/analytics/customer-value/company/{company.pk}/")

    assert f'hx-get="/analytics/customer-value/company/{company.pk}/"' in page
    assert card.status_code == 200
    assert card.context["score"].segment.key == "cant_lose"
    assert card.context["value"].historical_value == Decimal("50.00")
    assert "Data as of" in card.content.decode()


def test_without_analytics_view_there_is_no_card_and_its_url_is_403(alpha: TenantFixture):
    [value] = stored(alpha, 1, prefix="Hidden", owner_email=REP_EMAIL)
    client = alpha.client(REP_EMAIL)

    page = client.get(f"/companies/{value.company_id}/").content.decode()

    assert "customer-value-slot" not in page
    assert client.get(f"/analytics/customer-value/company/{value.company_id}/").status_code == 403
    for path in ("/analytics/customer-value/", "/analytics/churn/"):
        assert client.get(path).status_code == 403


def test_a_rep_may_not_open_the_card_of_a_company_they_may_not_see(alpha: TenantFixture):
    grant(alpha, "sales_rep", "analytics.view")
    [value] = stored(alpha, 1, prefix="Admin's")

    response = alpha.client(REP_EMAIL).get(f"/analytics/customer-value/company/{value.company_id}/")

    assert response.status_code == 404


def test_without_analytics_or_sales_the_pages_are_not_in_plan(alpha: TenantFixture):
    [value] = stored(alpha, 1, prefix="Planless")
    without_modules(alpha, "sales")
    client = alpha.client()
    for path in ("/analytics/customer-value/", "/analytics/churn/", "/analytics/rfm/"):
        response = client.get(path)
        assert response.status_code == 403
        assert "errors/not_in_plan.html" in [template.name for template in response.templates]
    without_modules(alpha, "analytics", "sales")
    assert "customer-value-slot" not in client.get(f"/companies/{value.company_id}/").content.decode()


def test_the_card_cannot_be_reached_from_another_tenant(alpha: TenantFixture, beta: TenantFixture):
    [value] = stored(alpha, 1, prefix="Alpha's")

    assert_cross_tenant_requests_fail(
        alpha, beta, [("get", f"/analytics/customer-value/company/{value.company_id}/", {})]
    )
