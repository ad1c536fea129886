"""Customer values and RFM segments through REST and GraphQL: figures, scopes and permissions,
visibility, other tenants, bad parameters and query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from graphql_relay import to_global_id

from modules.analytics.customer_value.services import refresh_customer_values
from tests.analytics.customer_value.conftest import buy
from tests.analytics.customer_value.test_value_pages import stored
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.factories import CompanyFactory
from tests.tenancy import REP_EMAIL, TenantFixture, grant, revoke

VALUES = "/api/v1/analytics/customer-values/"
SEGMENTS = "/api/v1/analytics/rfm/segments/"
READ = ("analytics:read", "sales:read")
QUERY = """query($company: ID, $page: Int, $period: Int) {
  customerValues(company: $company, page: $page) {
    dataAsOf status totalCount pages
    values { customerId customerType name orders historicalValue probabilityAlive predictedValue }
  }
  rfmSegments(period: $period) { key label customers share monetary }
}"""


def test_rest_answers_the_stored_values_with_their_date(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(name="Buyer")
        buy(alpha.user(), company=company, days_ago=40, amount="60.00")
        buy(alpha.user(), company=company, days_ago=10, amount="40.00")
        refresh_customer_values()
    _key, token = issue_key(alpha, scopes=READ)

    body = bearer_client(alpha, token).get(VALUES, {"company": company.pk}).json()

    assert body["data_as_of"] is not None
    assert (body["status"], body["count"]) == ("history", 1)
    [row] = body["results"]
    assert row["customer"] == {"type": "company", "id": company.pk, "name": "Buyer"}
    assert (row["orders"], row["historical_value"], row["predicted_value"]) == (2, "100.00", None)


def test_rest_segments_count_the_customers_of_each_segment(alpha: TenantFixture):
    with alpha.active():
        for n in range(3):
            buy(alpha.user(), company=CompanyFactory(name=f"Seg {n}"), days_ago=5, amount="10.00")
    _key, token = issue_key(alpha, scopes=READ)

    body = bearer_client(alpha, token).get(SEGMENTS, {"period": 12}).json()

    counts = {row["key"]: row["customers"] for row in body["results"]}
    assert counts["hibernating"] == 3  # all tied: the lowest score
    assert sum(counts.values()) == 3
    assert body["period_months"] == 12


@pytest.mark.parametrize(
    ("url", "field", "value"), [(SEGMENTS, "period", "7"), (VALUES, "page", "0"), (VALUES, "company", "x")]
)
def test_rest_bad_parameters_are_a_400_naming_them(alpha: TenantFixture, url: str, field: str, value: str):
    _key, token = issue_key(alpha, scopes=READ)

    response = bearer_client(alpha, token).get(url, {field: value})

    assert response.status_code == 400
    assert field in response.content.decode()


def test_rest_needs_the_analytics_scope_and_permission_and_follows_visibility(alpha: TenantFixture):
    stored(alpha, 2, prefix="Admin's")
    stored(alpha, 1, prefix="Rep's", owner_email=REP_EMAIL)
    _key, sales_only = issue_key(alpha, scopes=("sales:read",), name="Sales only")
    _key, rep_key = issue_key(alpha, email=REP_EMAIL, scopes=READ, name="Rep")

    for url in (VALUES, SEGMENTS):
        without_scope = bearer_client(alpha, sales_only).get(url)
        assert without_scope.status_code == 403
        assert "analytics:read" in without_scope.json()["detail"]
        assert bearer_client(alpha, rep_key).get(url).status_code == 403
    grant(alpha, "sales_rep", "analytics.view")
    body = bearer_client(alpha, rep_key).get(VALUES).json()
    assert [row["customer"]["name"] for row in body["results"]] == ["Rep's 0"]


def test_another_tenants_key_reads_its_own_values_only(alpha: TenantFixture, beta: TenantFixture):
    [value] = stored(alpha, 1, prefix="Alpha's")
    _key, token = issue_key(beta, scopes=READ)

    assert bearer_client(beta, token).get(VALUES).json()["count"] == 0
    assert bearer_client(beta, token).get(VALUES, {"company": value.company_id}).json()["count"] == 0
    assert bearer_client(alpha, token).get(VALUES).status_code == 401


@pytest.mark.parametrize("count", [5, 50])
def test_rest_reads_a_fixed_number_of_queries(alpha: TenantFixture, django_assert_max_num_queries, count: int):
    stored(alpha, count, prefix="Many")
    _key, token = issue_key(alpha, scopes=READ)
    client = bearer_client(alpha, token)
    client.get(VALUES)

    with django_assert_max_num_queries(10):
        assert len(client.get(VALUES).json()["results"]) == count


def test_graphql_answers_values_and_segments(alpha: TenantFixture):
    [value] = stored(alpha, 1, prefix="Graph")
    _key, token = issue_key(alpha, scopes=READ)

    body = post_graphql(
        bearer_client(alpha, token), QUERY, {"company": to_global_id("Company", value.company_id)}
    ).json()

    assert "errors" not in body, body
    values = body["data"]["customerValues"]
    assert values["totalCount"] == 1
    assert values["values"] == [
        {
            "customerId": to_global_id("Company", value.company_id),
            "customerType": "company",
            "name": "Graph 0",
            "orders": 3,
            "historicalValue": "300.00",
            "probabilityAlive": 0.9,
            "predictedValue": "150.00",
        }
    ]
    assert {row["key"] for row in body["data"]["rfmSegments"]} >= {"champions", "hibernating"}


@pytest.mark.parametrize(
    ("variables", "field"), [({"period": 7}, "period"), ({"page": 0}, "page"), ({"company": "bm90"}, "company")]
)
def test_graphql_bad_arguments_name_the_field(alpha: TenantFixture, variables: dict, field: str):
    errors = post_graphql(alpha.client(), QUERY, variables).json()["errors"]

    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert errors[0]["extensions"]["field"] == field


def test_graphql_needs_the_scope_and_the_permission(alpha: TenantFixture):
    _key, sales_only = issue_key(alpha, scopes=("sales:read",), name="Sales only")

    without_scope = post_graphql(bearer_client(alpha, sales_only), QUERY).json()
    without_permission = post_graphql(alpha.client(REP_EMAIL), QUERY).json()

    assert without_scope["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"
    assert without_permission["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_graphql_another_tenants_values_are_not_read(alpha: TenantFixture, beta: TenantFixture):
    [value] = stored(alpha, 1, prefix="Alpha's")

    named = post_graphql(beta.client(), QUERY, {"company": to_global_id("Company", value.company_id)}).json()
    body = post_graphql(beta.client(), QUERY).json()

    assert named["errors"][0]["extensions"]["field"] == "company"
    assert body["data"]["customerValues"]["totalCount"] == 0
    assert Decimal(body["data"]["rfmSegments"][0]["monetary"]) == 0


@pytest.mark.parametrize("count", [5, 50])
def test_graphql_reads_a_fixed_number_of_queries(alpha: TenantFixture, django_assert_max_num_queries, count: int):
    stored(alpha, count, prefix="Many")
    client = alpha.client()
    post_graphql(client, QUERY)

    with django_assert_max_num_queries(14):
        assert len(post_graphql(client, QUERY).json()["data"]["customerValues"]["values"]) == count


def test_analytics_without_sales_view_reads_no_order_values_anywhere(alpha: TenantFixture):
    # The rep's role given analytics and stripped of sales: what a marketer holds.
    [value] = stored(alpha, 1, prefix="Priced", owner_email=REP_EMAIL)
    grant(alpha, "sales_rep", "analytics.view")
    revoke(alpha, "sales_rep", "sales.view")
    _key, rep_key = issue_key(alpha, email=REP_EMAIL, scopes=READ, name="Rep")
    client = alpha.client(REP_EMAIL)

    for url in (VALUES, SEGMENTS):
        assert bearer_client(alpha, rep_key).get(url).status_code == 403
    assert post_graphql(client, QUERY).json()["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    for path in ("/analytics/rfm/", "/analytics/customer-value/", "/analytics/churn/", "/analytics/cohorts/"):
        assert client.get(path).status_code == 403, path
    assert client.get(f"/analytics/customer-value/company/{value.company_id}/").status_code == 403
    assert "customer-value-slot" not in client.get(f"/companies/{value.company_id}/").content.decode()
    assert "/analytics/rfm/" not in client.get("/analytics/").content.decode()
