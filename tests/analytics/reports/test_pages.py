"""The report builder's pages: building and saving, running with a chart, pivot and list links,
who may open what, and query counts that do not grow with the number of groups."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from modules.analytics.reports.models import Report
from modules.analytics.reports.services import create_report
from tests.analytics.reports.conftest import World
from tests.entitlements.helpers import without_modules
from tests.factories import DealFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, revoke

BY_REGION = {"group_by": [{"field": "custom.region"}], "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}]}


def client_of(alpha: TenantFixture, email: str) -> Client:
    return alpha.client(email)


def saved(alpha: TenantFixture, world: World, definition=None, **values) -> Report:
    with alpha.active():
        return create_report(
            by=values.pop("by", world.mara), name=values.pop("name", "By region"), source="deals",
            definition=definition or BY_REGION, sharing=values.pop("sharing", "everyone"), **values,
        )  # fmt: skip


def test_a_manager_builds_previews_and_saves_a_report(alpha: TenantFixture, world: World):
    client = client_of(alpha, "mara@example.test")
    form = {
        "source": "deals", "group-0-field": "custom.region", "measure-0-fn": "count", "measure-1-fn": "sum",
        "measure-1-field": "amount", "name": "Deals by region", "chart": "bar", "sharing": "private",
    }  # fmt: skip

    preview = client.post("/analytics/reports/new/", {**form, "action": "preview"})
    assert preview.status_code == 200
    assert preview.context["chart"]["labels"] == ["North", "South", "(empty)"]
    assert preview.context["chart"]["datasets"][0]["data"] == [2, 1, 1]
    with alpha.active():
        assert not Report.objects.exists()

    response = client.post("/analytics/reports/new/", {**form, "action": "save"})
    with alpha.active():
        report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/analytics/reports/{report.pk}/"
    assert report.definition["group_by"] == [{"field": "custom.region"}]
    assert report.owner_id == world.mara.pk


def test_a_bad_form_names_the_part_and_saves_nothing(alpha: TenantFixture, world: World):
    client = client_of(alpha, "mara@example.test")

    response = client.post(
        "/analytics/reports/new/",
        {"source": "deals", "measure-0-fn": "sum", "measure-0-field": "name", "name": "X", "action": "save"},
    )

    assert response.status_code == 400
    assert response.context["errors"] == [("Measure 1, fn", "name takes the measures: count_distinct.")]
    with alpha.active():
        assert not Report.objects.exists()


def test_the_report_page_shows_the_chart_table_and_list_links(alpha: TenantFixture, world: World):
    report = saved(alpha, world)

    response = client_of(alpha, "mara@example.test").get(f"/analytics/reports/{report.pk}/")

    assert response.status_code == 200
    body = response.content.decode()
    chart = json.loads(body.split('id="report-chart-data" type="application/json">')[1].split("</script>")[0])
    assert chart["labels"] == ["North", "South", "(empty)"]
    # Mara sees A1–A3 and M1: north A1+A2, south A3, none M1.
    assert chart["datasets"][1]["data"] == [1500.0, 180.0, 300.0]
    assert chart["urls"][0][:2] == ["/deals/?cf.region=north", "/deals/?cf.region=south"]
    # The empty group cannot be said in the list's parameters: the list is narrowed to its records.
    assert chart["urls"][0][2].startswith("/deals/?cell=")
    assert client_of(alpha, "mara@example.test").get(chart["urls"][0][2]).context["count"].value == 1
    assert 'src="/static/js/report-chart.js"' in body or "js/report-chart" in body


def test_the_same_saved_report_gives_each_reader_their_own_figures(alpha: TenantFixture, world: World):
    report = saved(alpha, world, {"measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}]})

    as_ana = client_of(alpha, "ana@example.test").get(f"/analytics/reports/{report.pk}/")
    as_mara = client_of(alpha, "mara@example.test").get(f"/analytics/reports/{report.pk}/")

    assert [row.values for row in as_ana.context["rows"]] == [(3, Decimal("1680.00"))]
    assert [row.values for row in as_mara.context["rows"]] == [(4, Decimal("1980.00"))]


def test_two_dimensions_make_a_pivot(alpha: TenantFixture, world: World):
    definition = {"group_by": [{"field": "owner"}, {"field": "custom.region"}], "measures": [{"fn": "count"}]}
    report = saved(alpha, world, definition)

    response = alpha.client().get(f"/analytics/reports/{report.pk}/")

    pivot = response.context["pivot"]
    assert pivot.column_labels == ["North", "South", "(empty)"]
    owner = str(world.ana.pk)
    assert pivot.lines[0] == (
        "Ana",
        [(2, f"/deals/?owner={owner}&cf.region=north"), (1, f"/deals/?owner={owner}&cf.region=south"), None],
    )
    assert [label for label, _cells in pivot.lines] == ["Ana", "Cid", "Mara"]


def test_a_private_report_is_a_404_to_others_and_only_the_owner_edits(alpha: TenantFixture, world: World):
    private = saved(alpha, world, sharing="private")
    shared = saved(alpha, world, name="Shared")
    admin = alpha.client()

    assert admin.get(f"/analytics/reports/{private.pk}/").status_code == 404
    assert admin.get(f"/analytics/reports/{private.pk}/export.csv").status_code == 404
    assert admin.get(f"/analytics/reports/{shared.pk}/").status_code == 200
    assert admin.get(f"/analytics/reports/{shared.pk}/edit/").status_code == 403
    assert admin.post(f"/analytics/reports/{shared.pk}/delete/").status_code == 403
    with alpha.active():
        assert Report.objects.count() == 2


def test_a_role_without_analytics_change_runs_but_does_not_build(alpha: TenantFixture, world: World):
    report = saved(alpha, world, by=world.admin, sharing="everyone")
    ana = client_of(alpha, "ana@example.test")  # sales_rep with analytics.view only

    assert ana.get(f"/analytics/reports/{report.pk}/").status_code == 200
    assert ana.get("/analytics/reports/new/").status_code == 403
    assert ana.post("/analytics/reports/new/", {"source": "deals", "action": "save", "name": "X"}).status_code == 403
    assert ana.get(f"/analytics/reports/{report.pk}/export.csv").status_code == 403  # no data.export


def test_a_role_without_analytics_gets_403_everywhere(alpha: TenantFixture, world: World):
    report = saved(alpha, world)
    revoke(alpha, "sales_rep", "analytics.view")
    rep = alpha.client(REP_EMAIL)

    for path in ("/analytics/reports/", f"/analytics/reports/{report.pk}/", "/analytics/reports/new/",
                 f"/analytics/reports/{report.pk}/export.csv"):  # fmt: skip
        assert rep.get(path).status_code == 403, path
    assert rep.post(f"/analytics/reports/{report.pk}/delete/").status_code == 403


def test_a_tenant_without_analytics_gets_the_not_in_plan_page(alpha: TenantFixture, world: World):
    report = saved(alpha, world)
    without_modules(alpha, "analytics")

    for path in ("/analytics/reports/", f"/analytics/reports/{report.pk}/", "/analytics/reports/new/"):
        response = alpha.client().get(path)
        assert response.status_code == 403
        assert "errors/not_in_plan.html" in [template.name for template in response.templates]


def test_another_tenant_cannot_reach_a_report(alpha: TenantFixture, beta: TenantFixture, world: World):
    report = saved(alpha, world, by=world.admin, sharing="everyone")
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/analytics/reports/{report.pk}/", {}),
            ("get", f"/analytics/reports/{report.pk}/edit/", {}),
            ("post", f"/analytics/reports/{report.pk}/edit/", {"source": "deals", "action": "save", "name": "X"}),
            ("post", f"/analytics/reports/{report.pk}/delete/", {}),
            ("get", f"/analytics/reports/{report.pk}/export.csv", {}),
        ],
    )


@pytest.mark.parametrize("extra_deals", [0, 45])
def test_the_report_page_costs_the_same_queries_for_5_and_50_groups(
    alpha: TenantFixture, world: World, extra_deals: int, django_assert_max_num_queries
):
    definition = {"group_by": [{"field": "name"}, {"field": "owner"}], "measures": [{"fn": "sum", "field": "amount"}]}
    report = saved(alpha, world, definition, by=world.admin)
    with alpha.active():
        for index in range(extra_deals):
            DealFactory(name=f"Extra {index:02}", owner=world.cid, currency="USD")
    client = alpha.client()
    client.get("/analytics/")  # the session and permissions warm up

    with django_assert_max_num_queries(14):
        response = client.get(f"/analytics/reports/{report.pk}/")

    assert len(response.context["rows"]) == 5 + extra_deals
