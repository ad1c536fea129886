"""The funnel page, REST and GraphQL: the figures, the drill-down links, who may read them, bad
parameters and query counts."""

from __future__ import annotations

import pytest
from graphql_relay import to_global_id

from tests.analytics.funnel.histories import build
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.entitlements.helpers import without_modules
from tests.factories import DealFactory
from tests.tenancy import REP_EMAIL, TenantFixture, grant, with_session_of

URL = "/api/v1/analytics/funnel/"
READ = ("analytics:read", "sales:read")
QUERY = """query($pipeline: ID, $start: Date, $end: Date, $owner: ID, $team: Int) {
  salesFunnel(pipeline: $pipeline, start: $start, end: $end, owner: $owner, team: $team) {
    won lost winRate averageCycleDays medianCycleDays
    stages { stage { name } entered movedOn conversion medianDaysInStage averageDaysInStage }
  }
}"""


@pytest.fixture
def histories(alpha: TenantFixture):
    with alpha.active():
        admin, rep = alpha.user(), alpha.user(REP_EMAIL)
        return build({"A": admin, "B": admin, "C": admin, "D": rep, "E": rep})


def params(histories, **extra) -> dict:
    return {
        "pipeline": histories.pipeline.pk,
        "start": histories.start.isoformat(),
        "end": histories.end.isoformat(),
        **extra,
    }


def test_the_page_shows_the_figures_and_links_each_stage_to_the_deal_list(alpha: TenantFixture, histories):
    response = alpha.client().get("/analytics/funnel/", params(histories))

    assert response.status_code == 200
    page = response.content.decode()
    result = response.context["funnel"]
    assert [(row.entered, row.moved_on) for row in result.stages] == [(4, 3), (3, 3), (3, 1), (2, 0), (1, 0)]
    assert str(result.win_rate) == "66.7"
    s1 = histories.stages["S1"].pk
    assert f'href="/deals/?stage={s1}"' in page
    assert 'id="funnel-data"' in page
    assert response.context["chart"]["urls"][0] == f"/deals/?stage={s1}"
    assert response.context["chart"]["entered"] == [4, 3, 3, 2]  # the lost stage is not a bar


def test_the_drill_down_keeps_the_owner_filter(alpha: TenantFixture, histories):
    owner = alpha.user().pk
    response = alpha.client().get("/analytics/funnel/", params(histories, owner=owner))

    assert response.context["chart"]["urls"][0] == f"/deals/?stage={histories.stages['S1'].pk}&owner={owner}"
    assert [row.entered for row in response.context["funnel"].stages][:3] == [3, 2, 3]


def test_the_deal_list_filters_by_the_stage_it_was_opened_with(alpha: TenantFixture, histories):
    response = alpha.client().get(f"/deals/?stage={histories.stages['S1'].pk}")

    assert response.status_code == 200
    assert histories.deals["D"].name in response.content.decode()
    assert histories.deals["A"].name not in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [("pipeline", "999999"), ("start", "someday"), ("end", "99999-01-01"), ("owner", "x"), ("team", "999999")],
)
def test_a_bad_parameter_is_a_400_naming_it(alpha: TenantFixture, field: str, value: str):
    response = alpha.client().get("/analytics/funnel/", {field: value})

    assert response.status_code == 400
    assert field in response.context["form"].errors


def test_an_end_before_the_start_is_refused(alpha: TenantFixture, histories):
    response = alpha.client().get("/analytics/funnel/", params(histories, start=histories.end, end=histories.start))

    assert response.status_code == 400
    assert "end" in response.context["form"].errors


def test_a_rep_sees_the_figures_of_the_deals_the_rep_may_see(alpha: TenantFixture, histories):
    grant(alpha, "sales_rep", "analytics.view")

    response = alpha.client(REP_EMAIL).get("/analytics/funnel/", params(histories))

    assert response.status_code == 200
    assert [row.entered for row in response.context["funnel"].stages] == [1, 1, 0, 1, 0]


def test_who_may_not_read_the_funnel_is_refused(alpha: TenantFixture, beta: TenantFixture):
    assert alpha.client(REP_EMAIL).get("/analytics/funnel/").status_code == 403
    stolen = with_session_of(alpha.client(), beta.host).get("/analytics/funnel/")
    assert stolen.status_code == 302


def test_without_sales_in_the_plan_the_funnel_is_not_in_plan(alpha: TenantFixture):
    without_modules(alpha, "sales")

    response = alpha.client().get("/analytics/funnel/")

    assert response.status_code == 403
    assert "errors/not_in_plan.html" in [template.name for template in response.templates]


@pytest.mark.parametrize("deals", [1, 20])
def test_the_page_reads_a_fixed_number_of_queries(
    alpha: TenantFixture, histories, django_assert_max_num_queries, deals
):
    with alpha.active():
        for _ in range(deals):
            DealFactory(pipeline=histories.pipeline, stage=histories.stages["S2"], owner=alpha.user())
    client = alpha.client()
    client.get("/analytics/funnel/", params(histories))

    with django_assert_max_num_queries(14):
        response = client.get("/analytics/funnel/", params(histories))

    assert response.context["funnel"].stages[0].entered == 4


def test_rest_answers_every_figure(alpha: TenantFixture, histories):
    _key, token = issue_key(alpha, scopes=READ)

    body = bearer_client(alpha, token).get(URL, params(histories)).json()

    assert (body["won"], body["lost"], body["win_rate"]) == (2, 1, "66.7")
    assert (body["average_cycle_days"], body["median_cycle_days"]) == ("11.0", "11.0")
    assert [(s["entered"], s["moved_on"], s["conversion"]) for s in body["stages"]] == [
        (4, 3, "75.0"), (3, 3, "100.0"), (3, 1, "33.3"), (2, 0, None), (1, 0, None),
    ]  # fmt: skip
    assert [(s["median_days_in_stage"], s["average_days_in_stage"]) for s in body["stages"][:3]] == [
        ("4.0", "3.3"), ("2.0", "2.3"), ("5.0", "5.0"),
    ]  # fmt: skip


def test_rest_refuses_bad_parameters_missing_scopes_and_roles(alpha: TenantFixture, beta: TenantFixture, histories):
    _key, token = issue_key(alpha, scopes=READ)
    _key, sales_only = issue_key(alpha, scopes=("sales:read",), name="Sales only")
    _key, rep_key = issue_key(alpha, email=REP_EMAIL, scopes=READ, name="Rep")
    _key, beta_token = issue_key(beta, scopes=READ)

    bad = bearer_client(alpha, token).get(URL, {"start": "soon"})
    assert bad.status_code == 400
    assert "start" in bad.content.decode()
    assert bearer_client(alpha, sales_only).get(URL).status_code == 403
    assert bearer_client(alpha, rep_key).get(URL).status_code == 403
    other_tenant = bearer_client(beta, beta_token).get(URL, {"pipeline": histories.pipeline.pk})
    assert other_tenant.status_code == 400
    assert "pipeline" in other_tenant.content.decode()


def test_graphql_answers_the_same_figures(alpha: TenantFixture, histories):
    variables = params(histories)
    variables["pipeline"] = to_global_id("Pipeline", histories.pipeline.pk)

    body = post_graphql(alpha.client(), QUERY, variables).json()

    assert "errors" not in body, body
    result = body["data"]["salesFunnel"]
    assert (result["won"], result["lost"], result["winRate"], result["averageCycleDays"]) == (2, 1, "66.7", "11.0")
    assert [(s["entered"], s["movedOn"], s["conversion"]) for s in result["stages"]] == [
        (4, 3, "75.0"), (3, 3, "100.0"), (3, 1, "33.3"), (2, 0, None), (1, 0, None),
    ]  # fmt: skip


def test_graphql_refuses_bad_arguments_other_tenants_and_missing_scopes(
    alpha: TenantFixture, beta: TenantFixture, histories
):
    _key, sales_only = issue_key(alpha, scopes=("sales:read",), name="Sales only")
    other = {"pipeline": to_global_id("Pipeline", histories.pipeline.pk)}

    bad = post_graphql(alpha.client(), QUERY, {"start": "2020-13-01"}).json()
    from_beta = post_graphql(beta.client(), QUERY, other).json()
    without_scope = post_graphql(bearer_client(alpha, sales_only), QUERY).json()
    without_permission = post_graphql(alpha.client(REP_EMAIL), QUERY).json()

    assert "errors" in bad
    assert from_beta["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "pipeline"}
    assert without_scope["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"
    assert without_permission["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
