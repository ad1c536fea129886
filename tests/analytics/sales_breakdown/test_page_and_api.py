"""The sales-by page, REST and GraphQL: the figures, the drill-down into the deal list, who may read
them, bad parameters and query counts."""

from __future__ import annotations

import pytest

from tenants.models import Tenant
from tests.analytics.sales_breakdown.deals import build
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.entitlements.helpers import without_modules
from tests.factories import DealFactory
from tests.tenancy import REP_EMAIL, TenantFixture, grant, with_session_of

PAGE = "/analytics/sales/"
URL = "/api/v1/analytics/sales-breakdown/"
READ = ("analytics:read", "sales:read")
QUERY = """query($by: SalesBreakdownDimension, $field: String, $start: Date, $end: Date, $owner: ID, $team: Int) {
  salesBreakdown(by: $by, field: $field, start: $start, end: $end, owner: $owner, team: $team) {
    by start end baseCurrency
    total { revenue won lost unconverted winRate averageDealSize }
    groups { key label revenue won lost unconverted winRate averageDealSize }
  }
}"""


@pytest.fixture
def closed(alpha: TenantFixture):
    Tenant.objects.filter(pk=alpha.tenant.pk).update(currency="EUR")
    with alpha.active():
        return build(alpha.user(), alpha.user(REP_EMAIL))


def params(closed, **extra) -> dict:
    return {"start": closed.start.isoformat(), "end": closed.end.isoformat(), **extra}


def listed(alpha: TenantFixture, url: str) -> set[str]:
    response = alpha.client().get(url)
    assert response.status_code == 200
    return {row.name for row in response.context["rows"]}


def test_the_page_shows_each_products_figures_and_a_chart(alpha: TenantFixture, closed):
    response = alpha.client().get(PAGE, params(closed))

    assert response.status_code == 200
    page = response.content.decode()
    assert [(g.label, str(g.revenue), g.won, g.lost) for g, _won, _lost in response.context["rows"]] == [
        ("SB Widget", "2150.00", 3, 0), ("SB Gadget", "250.00", 1, 1), ("No product", "0.00", 1, 1),
    ]  # fmt: skip
    assert response.context["chart"]["revenue"] == [2150.0, 250.0, 0.0]
    assert 'id="breakdown-data"' in page
    assert "2,400.00" in page or "2.400,00" in page or "2 400,00" in page


def test_each_product_row_opens_the_won_and_lost_deals_it_counts(alpha: TenantFixture, closed):
    rows = alpha.client().get(PAGE, params(closed)).context["rows"]
    (widget, widget_won, _), (_gadget, _won, gadget_lost), (_none, none_won, _) = rows

    assert widget.key == str(closed.products["Widget"].pk)
    assert listed(alpha, widget_won) == {"SB W1", "SB W2", "SB W4"}
    assert listed(alpha, gadget_lost) == {"SB L1"}
    assert none_won is None  # "no product" has no list filter


@pytest.mark.parametrize(
    ("by", "extra", "won", "lost"),
    [
        ("industry", {}, {"SB W2", "SB W4"}, {"SB L1"}),
        ("size", {}, {"SB W2", "SB W4"}, {"SB L1"}),
        ("custom", {"field": "tier"}, {"SB W2", "SB W4"}, {"SB L1"}),
        ("country", {}, {"SB W2", "SB W4"}, {"SB L1"}),
        ("region", {}, {"SB W2", "SB W4"}, {"SB L1"}),
    ],
)
def test_segment_and_region_rows_open_the_deals_they_count(alpha: TenantFixture, closed, by, extra, won, lost):
    """Rows: Bolt's group first (1,400), then Acme's (won W1, W3; lost L1), then no company (lost L2)."""
    rows = alpha.client().get(PAGE, params(closed, by=by, **extra)).context["rows"]

    assert [group.won for group, _w, _l in rows] == [2, 2, 0]
    assert listed(alpha, rows[0][1]) == won
    assert listed(alpha, rows[1][1]) == {"SB W1", "SB W3"}
    assert listed(alpha, rows[1][2]) == lost
    assert listed(alpha, rows[2][2]) == {"SB L2"}


def test_the_total_and_the_owner_filter_carry_into_the_deal_list(alpha: TenantFixture, closed):
    admin = alpha.user()
    response = alpha.client().get(PAGE, params(closed, owner=admin.pk))

    assert listed(alpha, response.context["total_urls"][0]) == {"SB W1", "SB W4"}
    assert listed(alpha, response.context["total_urls"][1]) == {"SB L1", "SB L2"}


def test_a_fiscal_period_sets_the_dates(alpha: TenantFixture, closed):
    response = alpha.client().get(PAGE, {"period": "last-year", "start": "2001-01-01"})

    result = response.context["result"]
    assert response.status_code == 200
    assert result.start.day == 1
    assert result.end < closed.end
    assert (result.end - result.start).days in (364, 365)


@pytest.mark.parametrize(
    ("field", "value"),
    [("by", "planet"), ("field", "nosuch"), ("period", "decade"), ("start", "someday"), ("end", "99999-01-01"),
     ("owner", "x"), ("team", "999999")],
)  # fmt: skip
def test_a_bad_parameter_is_a_400_naming_it(alpha: TenantFixture, closed, field: str, value: str):
    query = {"by": "custom", field: value} if field == "field" else {field: value}

    response = alpha.client().get(PAGE, query)

    assert response.status_code == 400
    assert field in response.context["form"].errors


def test_an_end_before_the_start_is_refused(alpha: TenantFixture, closed):
    response = alpha.client().get(PAGE, params(closed, start=closed.end, end=closed.start))

    assert response.status_code == 400
    assert "end" in response.context["form"].errors


def test_a_rep_with_analytics_sees_only_the_reps_deals(alpha: TenantFixture, closed):
    grant(alpha, "sales_rep", "analytics.view")

    response = alpha.client(REP_EMAIL).get(PAGE, params(closed))

    assert response.status_code == 200
    assert response.context["result"].total.won == 2


def test_who_may_not_read_the_page_is_refused(alpha: TenantFixture, beta: TenantFixture):
    assert alpha.client(REP_EMAIL).get(PAGE).status_code == 403
    assert alpha.client(None).get(PAGE).status_code == 302
    stolen = with_session_of(alpha.client(), beta.host).get(PAGE)
    assert stolen.status_code == 302


def test_analytics_without_sales_view_is_refused(alpha: TenantFixture):
    with alpha.active():
        from identity.models import Role

        role = Role.objects.get(key="sales_rep")
        role.permissions = sorted({*role.permissions, "analytics.view"} - {"sales.view"})
        role.save(update_fields=["permissions"])

    assert alpha.client(REP_EMAIL).get(PAGE).status_code == 403


def test_without_sales_in_the_plan_the_page_is_not_in_plan(alpha: TenantFixture):
    without_modules(alpha, "sales")

    response = alpha.client().get(PAGE)

    assert response.status_code == 403
    assert "errors/not_in_plan.html" in [template.name for template in response.templates]


@pytest.mark.parametrize("deals", [1, 20])
def test_the_page_reads_a_fixed_number_of_queries(alpha: TenantFixture, closed, django_assert_max_num_queries, deals):
    with alpha.active():
        for _ in range(deals):
            DealFactory(status="won", closed_at=closed.deals["W1"].closed_at, company=closed.companies["Acme"],
                        owner=alpha.user())  # fmt: skip
    client = alpha.client()
    client.get(PAGE, params(closed))

    with django_assert_max_num_queries(14):
        response = client.get(PAGE, params(closed))

    assert response.context["result"].total.won == 4 + deals


def test_rest_answers_every_figure(alpha: TenantFixture, closed):
    _key, token = issue_key(alpha, scopes=READ)

    body = bearer_client(alpha, token).get(URL, params(closed, by="industry")).json()

    assert (body["by"], body["base_currency"]) == ("industry", "EUR")
    assert [(g["label"], g["revenue"], g["won"], g["lost"], g["unconverted"], g["win_rate"], g["average_deal_size"])
            for g in body["groups"]] == [
        ("Retail", "1400.00", 2, 0, 0, "100.0", "700.00"),
        ("Software", "1000.00", 2, 1, 1, "66.7", "1000.00"),
        ("No industry", "0.00", 0, 1, 0, "0.0", None),
    ]  # fmt: skip
    total = body["total"]
    assert (total["revenue"], total["won"], total["lost"], total["win_rate"]) == ("2400.00", 4, 2, "66.7")
    assert body["groups"][0]["deals_url"].startswith("/deals/?status=won&closed_from=")


def test_rest_refuses_bad_parameters_missing_scopes_and_roles(alpha: TenantFixture, beta: TenantFixture, closed):
    _key, token = issue_key(alpha, scopes=READ)
    _key, sales_only = issue_key(alpha, scopes=("sales:read",), name="Sales only")
    _key, analytics_only = issue_key(alpha, scopes=("analytics:read",), name="Analytics only")
    _key, rep_key = issue_key(alpha, email=REP_EMAIL, scopes=READ, name="Rep")
    _key, beta_token = issue_key(beta, scopes=READ)

    bad = bearer_client(alpha, token).get(URL, {"by": "planet"})
    assert bad.status_code == 400
    assert "by" in bad.content.decode()
    assert bearer_client(alpha, sales_only).get(URL).status_code == 403
    assert bearer_client(alpha, analytics_only).get(URL).status_code == 403
    assert bearer_client(alpha, rep_key).get(URL).status_code == 403
    other_tenant = bearer_client(beta, beta_token).get(URL, params(closed))
    assert other_tenant.status_code == 200
    assert other_tenant.json()["groups"] == []
    assert bearer_client(alpha, beta_token).get(URL).status_code in (401, 403)


def test_graphql_answers_the_same_figures(alpha: TenantFixture, closed):
    body = post_graphql(alpha.client(), QUERY, params(closed, by="CUSTOM", field="tier")).json()

    assert "errors" not in body, body
    result = body["data"]["salesBreakdown"]
    assert [(g["label"], g["revenue"], g["won"], g["lost"], g["winRate"]) for g in result["groups"]] == [
        ("Silver", "1400.00", 2, 0, "100.0"), ("Gold", "1000.00", 2, 1, "66.7"), ("No value", "0.00", 0, 1, "0.0"),
    ]  # fmt: skip
    assert (result["total"]["revenue"], result["total"]["averageDealSize"]) == ("2400.00", "800.00")


def test_graphql_refuses_bad_arguments_other_tenants_and_missing_scopes(
    alpha: TenantFixture, beta: TenantFixture, closed
):
    _key, sales_only = issue_key(alpha, scopes=("sales:read",), name="Sales only")

    bad = post_graphql(alpha.client(), QUERY, {"by": "CUSTOM", "field": "nosuch"}).json()
    from_beta = post_graphql(beta.client(), QUERY, params(closed)).json()
    without_scope = post_graphql(bearer_client(alpha, sales_only), QUERY).json()
    without_permission = post_graphql(alpha.client(REP_EMAIL), QUERY).json()

    assert bad["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "field"}
    assert from_beta["data"]["salesBreakdown"]["groups"] == []
    assert without_scope["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"
    assert without_permission["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


@pytest.mark.parametrize(
    ("query", "w1_listed"),
    [("industry=%00", False), ("region=" + "x" * 300, False), ("company_field=Tier;drop&company_value=gold", False),
     ("company_field=tier&company_value=%00", False), ("closed_from=someday&size=huge", False),
     ("product=99999999999999999999", True)],
)  # fmt: skip
def test_the_deal_lists_analysis_filters_take_bad_values_without_an_error(
    alpha: TenantFixture, closed, query, w1_listed
):
    """A value no company can hold matches nothing; an id too large to be one is ignored."""
    response = alpha.client().get(f"/deals/?{query}")

    assert response.status_code == 200
    assert ("SB W1" in {row.name for row in response.context["rows"]}) is w1_listed
