"""The analyses derived from sales ask the same scopes of an API key through REST and GraphQL:
``analytics:read`` and ``sales:read``. A key lacking either is refused, naming the scope it lacks;
a key holding both reads."""

from __future__ import annotations

import pytest
from graphql_relay import to_global_id

from modules.analytics.reports.services import create_report
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.tenancy import TenantFixture

BOTH = ("analytics:read", "sales:read")
LACKING = [
    pytest.param(("sales:read",), "analytics:read", id="without-analytics"),
    pytest.param(("analytics:read",), "sales:read", id="without-sales"),
]
ENDPOINTS = [
    pytest.param("/api/v1/analytics/basket/rules/", "{ basketRules { totalCount } }", id="basket"),
    pytest.param("/api/v1/analytics/funnel/", "{ salesFunnel { won } }", id="funnel"),
    pytest.param("/api/v1/analytics/customer-values/", "{ customerValues { totalCount } }", id="customer-values"),
    pytest.param("/api/v1/analytics/rfm/segments/", "{ rfmSegments { key } }", id="rfm-segments"),
]


@pytest.mark.parametrize(("url", "query"), ENDPOINTS)
@pytest.mark.parametrize(("scopes", "missing"), LACKING)
def test_a_key_lacking_either_scope_is_refused_by_both_apis(
    alpha: TenantFixture, url: str, query: str, scopes: tuple[str, ...], missing: str
):
    _key, lacking = issue_key(alpha, scopes=scopes, name="Lacking")
    _key, both = issue_key(alpha, scopes=BOTH, name="Both")

    rest = bearer_client(alpha, lacking).get(url)
    graphql = post_graphql(bearer_client(alpha, lacking), query).json()

    assert rest.status_code == 403
    assert missing in rest.json()["detail"]
    assert graphql["data"] is None
    assert graphql["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"
    assert missing.replace(":read", ".view") in graphql["errors"][0]["message"]
    # The same endpoints answer a key holding both.
    assert bearer_client(alpha, both).get(url).status_code == 200
    assert "errors" not in post_graphql(bearer_client(alpha, both), query).json()


def test_a_report_on_deals_is_not_run_for_a_key_without_sales_by_either_api(alpha: TenantFixture):
    with alpha.active():
        report = create_report(
            by=alpha.user(), name="Deals by owner", source="deals", sharing="everyone",
            definition={"group_by": [{"field": "owner"}], "measures": [{"fn": "count"}]},
        )  # fmt: skip
    _key, analytics_only = issue_key(alpha, scopes=("analytics:read",), name="Analytics only")
    _key, both = issue_key(alpha, scopes=BOTH, name="Both")
    query = """query($id: ID!) { report(id: $id) { result { truncated } } }"""
    variables = {"id": to_global_id("Report", report.pk)}

    rest = bearer_client(alpha, analytics_only).get(f"/api/v1/analytics/reports/{report.pk}/run/")
    graphql = post_graphql(bearer_client(alpha, analytics_only), query, variables).json()

    assert rest.status_code == 400
    assert [error["field"] for error in rest.json()["errors"]] == ["source"]
    assert graphql["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "source"}
    assert bearer_client(alpha, both).get(f"/api/v1/analytics/reports/{report.pk}/run/").status_code == 200
    assert "errors" not in post_graphql(bearer_client(alpha, both), query, variables).json()
