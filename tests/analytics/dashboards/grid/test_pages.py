"""The dashboards' pages: the list, the grid, each widget's figures under the shared filters (with
the list links of their bars), the owner's changes, who may open what, and a page whose queries do
not grow with its widgets."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client

from modules.analytics.dashboards.models import Dashboard, Widget
from modules.analytics.dashboards.services import add_widget, create_dashboard
from tests.analytics.dashboards.grid.conftest import TOTAL, region_report
from tests.analytics.reports.conftest import World
from tests.tenancy import TenantFixture, assert_cross_tenant_requests_fail, revoke

MARA = "mara@example.test"
JANUARY = {"start": "2025-01-01", "end": "2025-01-31"}


def _board(alpha: TenantFixture, world: World, *, by=None, sharing="everyone", **values) -> Dashboard:
    with alpha.active():
        return create_dashboard(by=by or world.mara, name=values.pop("name", "Board"), sharing=sharing, **values)


def _config(response) -> dict:
    body = response.content.decode()
    return json.loads(body.split('id="dashboard-config" type="application/json">')[1].split("</script>")[0])


def _listed(client: Client, url: str | None) -> int:
    """How many records the list at ``url`` shows."""
    assert url is not None
    response = client.get(url)
    assert response.status_code == 200, url
    return int(response.context["count"].value)


def _data(client: Client, dashboard: Dashboard, widget: Widget, **params):
    return client.get(f"/analytics/dashboards/{dashboard.pk}/widgets/{widget.pk}/data/", params)


def test_the_list_shows_ones_own_and_shared_dashboards_and_the_ready_made(
    alpha: TenantFixture, world: World, kinds: None
):
    _board(alpha, world, name="Shared board")
    _board(alpha, world, by=world.cid, name="Cid's private", sharing="private")
    _board(alpha, world, by=world.ana, name="Ana's own", sharing="private")

    response = alpha.client("ana@example.test").get("/analytics/dashboards/")

    assert response.status_code == 200
    assert [d.name for d in response.context["dashboards"]] == ["Ana's own", "Shared board"]
    assert "test-sales" in [item.key for item in response.context["ready_made"]]


def test_creating_from_a_ready_made_dashboard_opens_its_grid(alpha: TenantFixture, world: World, kinds: None):
    client = alpha.client(MARA)

    response = client.post("/analytics/dashboards/new/", {"ready_made": "test-sales"})

    with alpha.active():
        dashboard = Dashboard.objects.get()
    assert response["Location"] == f"/analytics/dashboards/{dashboard.pk}/"
    page = client.get(response["Location"])
    assert [(w["title"], w["filters"]) for w in _config(page)["widgets"]] == [
        ("Deals closed", ["owner", "period"]), ("Forecast", ["owner", "period"]), ("Companies per owner", ["owner"]),
    ]  # fmt: skip


def test_a_report_widget_counts_the_readers_records_under_the_filters_with_list_links(
    alpha: TenantFixture, world: World
):
    report = region_report(alpha, world)
    dashboard = _board(alpha, world)
    with alpha.active():
        widget = add_widget(dashboard, by=world.mara, report=report, options={"date_field": "closed_at"})
    client = alpha.client(MARA)

    assert _config(client.get(f"/analytics/dashboards/{dashboard.pk}/"))["widgets"][0]["filters"] == ["owner", "period"]
    body = _data(client, dashboard, widget, **JANUARY).json()

    # Mara sees A1–A3 and M1; in January (Bucharest) only A1 closed.
    assert body["display"] == "bar"
    counts, amounts = body["series"]
    assert [(p["label"], p["value"]) for p in counts["points"]] == [("North", 1)]
    assert (counts["unit"], amounts["unit"]) == ("", "EUR")
    # The bar opens the deal list narrowed to exactly its deals, the period included.
    assert _listed(client, counts["points"][0]["url"]) == 1
    february = _data(client, dashboard, widget, start="2025-02-01", end="2025-02-28", owner=world.ana.pk).json()
    assert [(p["label"], p["value"]) for p in february["series"][0]["points"]] == [("North", 1), ("South", 1)]
    anas = _data(client, dashboard, widget, period="all", owner=world.ana.pk).json()
    north = anas["series"][0]["points"][0]
    assert (north["label"], north["value"]) == ("North", 2)
    assert dict(parse_qsl(urlsplit(north["url"]).query)) == {"owner": str(world.ana.pk), "cf.region": "north"}
    team = _data(client, dashboard, widget, start="2025-01-01", end="2025-12-31", team=world.team.pk).json()
    assert sum(p["value"] for p in team["series"][0]["points"]) == 4


def test_a_report_kpi_compares_with_the_period_before(alpha: TenantFixture, world: World):
    report = region_report(alpha, world, definition=TOTAL)
    dashboard = _board(alpha, world)
    with alpha.active():
        widget = add_widget(dashboard, by=world.mara, report=report, options={"date_field": "closed_at"})

    body = _data(alpha.client(MARA), dashboard, widget, start="2025-02-01", end="2025-02-28").json()

    # February: A2 (00:30 Bucharest) and A3; January before it: A1.
    assert (body["display"], body["value"], body["previous"], body["change"]) == ("kpi", 2, 1, 100.0)
    assert body["url"] is None  # the deal list's own parameters cannot say a closing-date range
    assert _data(alpha.client(MARA), dashboard, widget, period="all").json()["url"] == "/deals/"


def test_a_kind_ignores_the_filters_it_does_not_honour(alpha: TenantFixture, world: World, kinds: None):
    dashboard = _board(alpha, world)
    with alpha.active():
        widget = add_widget(dashboard, by=world.mara, kind="test-won")
        table = add_widget(dashboard, by=world.mara, kind="test-companies")
    client = alpha.client(MARA)

    kpi = _data(client, dashboard, widget, start="2025-01-01", end="2025-01-31").json()
    assert (kpi["value"], kpi["previous"], kpi["url"]) == (1, 0, "/deals/")
    everyone = _data(client, dashboard, table).json()
    assert _data(client, dashboard, table, **JANUARY).json()["rows"] == everyone["rows"] == [["Ana", 1]]
    assert _data(client, dashboard, table, owner=world.mara.pk).json()["empty"] is True


def test_a_widget_that_times_out_says_so_and_the_others_still_load(alpha: TenantFixture, world: World, kinds: None):
    dashboard = _board(alpha, world)
    with alpha.active():
        slow = add_widget(dashboard, by=world.mara, kind="test-slow")
        fine = add_widget(dashboard, by=world.mara, kind="test-won")
    client = alpha.client(MARA)

    stopped = _data(client, dashboard, slow)
    assert stopped.status_code == 503
    assert stopped.json()["error"] == "timeout"
    assert _data(client, dashboard, fine).status_code == 200


def test_widgets_the_reader_may_not_see_show_nothing_of_them(alpha: TenantFixture, world: World, kinds: None):
    revoke(alpha, "sales_rep", "sales.view_reports")
    private = region_report(alpha, world, name="Mara's private", sharing="private")
    dashboard = _board(alpha, world)
    with alpha.active():
        hidden_kind = add_widget(dashboard, by=world.mara, kind="test-reports-only")
        hidden_report = add_widget(dashboard, by=world.mara, report=private)
    client = alpha.client("ana@example.test")

    page = client.get(f"/analytics/dashboards/{dashboard.pk}/")
    assert [w["allowed"] for w in _config(page)["widgets"]] == [False, False]
    for widget in (hidden_kind, hidden_report):
        refused = _data(client, dashboard, widget)
        assert refused.status_code == 403
        assert set(refused.json()) == {"id", "title", "error", "message"}


def test_bad_filters_are_refused_by_name(alpha: TenantFixture, world: World, kinds: None):
    dashboard = _board(alpha, world)
    with alpha.active():
        widget = add_widget(dashboard, by=world.mara, kind="test-won")
    client = alpha.client(MARA)

    for params, field in (
        ({"start": "2025-13-01"}, "start"), ({"end": "99999-01-01"}, "end"), ({"start": "0999-12-31"}, "start"),
        ({"start": "2025-02-01", "end": "2025-01-01"}, "end"), ({"period": "forever"}, "period"),
        ({"owner": "me"}, "owner"), ({"owner": "987654"}, "owner"), ({"team": "1\x00"}, "team"),
        ({"owner": world.ana.pk, "team": world.team.pk}, "team"),
    ):  # fmt: skip
        response = _data(client, dashboard, widget, **params)
        assert response.status_code == 400, params
        assert [error["field"] for error in response.json()["errors"]] == [field], params
    assert client.get(f"/analytics/dashboards/{dashboard.pk}/", {"period": "forever"}).status_code == 400


def test_the_owner_adds_renames_removes_and_lays_out_widgets(alpha: TenantFixture, world: World, kinds: None):
    report = region_report(alpha, world)
    dashboard = _board(alpha, world)
    client = alpha.client(MARA)
    base = f"/analytics/dashboards/{dashboard.pk}"

    assert client.post(f"{base}/widgets/", {"widget": f"report:{report.pk}"}).status_code == 302
    assert client.post(f"{base}/widgets/", {"widget": "kind:test-won", "title": "Won"}).status_code == 302
    assert client.post(f"{base}/widgets/", {"widget": "kind:nothing"}).status_code == 302
    with alpha.active():
        regions, won = dashboard.widgets.order_by("pk")
    assert (regions.report_id, won.kind, won.title) == (report.pk, "test-won", "Won")
    layout = {"widgets": [{"id": won.pk, "x": 6, "y": 0, "width": 6, "height": 3}]}
    saved = client.post(f"{base}/layout/", json.dumps(layout), content_type="application/json")
    assert saved.json() == {"saved": [won.pk]}
    bad = client.post(f"{base}/layout/", json.dumps({"widgets": [{**layout["widgets"][0], "width": 7}]}),
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "widgets.0.x"
    assert client.post(f"{base}/layout/", "not json", content_type="application/json").status_code == 400
    assert client.post(f"{base}/widgets/{won.pk}/change/", {"title": "Closed"}).status_code == 302
    assert client.post(f"{base}/widgets/{regions.pk}/remove/").status_code == 302
    with alpha.active():
        assert list(dashboard.widgets.values_list("title", "x", "width", "height")) == [("Closed", 6, 6, 3)]


def test_the_owner_renames_and_shares_the_dashboard(alpha: TenantFixture, world: World):
    dashboard = _board(alpha, world, sharing="private")
    client = alpha.client(MARA)
    url = f"/analytics/dashboards/{dashboard.pk}/settings/"

    assert client.get(url).status_code == 200
    refused = client.post(url, {"name": "x\x00", "period": "this_month", "sharing": "private"})
    assert refused.status_code == 400
    assert [field for field, _message in refused.context["errors"]] == ["name"]
    saved = client.post(url, {"name": "North", "period": "this_month", "sharing": "team",
                              "shared_team": world.team.pk})  # fmt: skip
    assert saved.status_code == 302
    assert alpha.client("ana@example.test").get(f"/analytics/dashboards/{dashboard.pk}/").status_code == 200


def test_only_the_owner_changes_a_shared_dashboard(alpha: TenantFixture, world: World, kinds: None):
    dashboard = _board(alpha, world)
    with alpha.active():
        widget = add_widget(dashboard, by=world.mara, kind="test-won")
    base = f"/analytics/dashboards/{dashboard.pk}"
    client = alpha.client()  # the administrator may open it but it is not theirs

    assert client.get(f"{base}/").status_code == 200
    for path, data in ((f"{base}/settings/", {"name": "Mine"}), (f"{base}/delete/", {}),
                       (f"{base}/widgets/", {"widget": "kind:test-won"}), (f"{base}/widgets/{widget.pk}/remove/", {}),
                       (f"{base}/widgets/{widget.pk}/change/", {"title": "X"}), (f"{base}/layout/", {})):  # fmt: skip
        assert client.post(path, data).status_code == 403, path
    with alpha.active():
        assert Widget.objects.get().title == ""
        assert Dashboard.objects.get().name == "Board"


def test_a_private_dashboard_and_a_missing_permission_are_refused(alpha: TenantFixture, world: World, kinds: None):
    dashboard = _board(alpha, world, by=world.cid, sharing="private")
    with alpha.active():
        widget = add_widget(dashboard, by=world.cid, kind="test-won")
    base = f"/analytics/dashboards/{dashboard.pk}"
    mara = alpha.client(MARA)

    assert mara.get(f"{base}/").status_code == 404
    assert mara.get(f"{base}/widgets/{widget.pk}/data/").status_code == 404
    assert mara.post(f"{base}/delete/").status_code == 404
    revoke(alpha, "manager", "analytics.view")
    assert mara.get("/analytics/dashboards/").status_code == 403
    revoke(alpha, "sales_rep", "analytics.change")
    assert alpha.client("ana@example.test").post("/analytics/dashboards/new/", {"name": "X"}).status_code == 403
    with alpha.active():
        assert Dashboard.objects.count() == 1


def test_another_tenant_reaches_no_dashboard(alpha: TenantFixture, beta: TenantFixture, world: World, kinds: None):
    dashboard = _board(alpha, world, by=world.admin)
    with alpha.active():
        widget = add_widget(dashboard, by=world.admin, kind="test-won")
    base = f"/analytics/dashboards/{dashboard.pk}"

    assert_cross_tenant_requests_fail(alpha, beta, [
        ("get", f"{base}/", {}), ("get", f"{base}/widgets/{widget.pk}/data/", {}), ("get", f"{base}/settings/", {}),
        ("post", f"{base}/settings/", {"name": "Stolen"}), ("post", f"{base}/delete/", {}),
        ("post", f"{base}/widgets/", {"widget": "kind:test-won"}), ("post", f"{base}/layout/", {}),
        ("post", f"{base}/widgets/{widget.pk}/change/", {"title": "X"}),
        ("post", f"{base}/widgets/{widget.pk}/remove/", {}),
    ])  # fmt: skip


@pytest.mark.parametrize("count", [2, 8])
def test_the_grid_page_costs_the_same_whatever_its_widgets(
    alpha: TenantFixture, world: World, kinds: None, django_assert_max_num_queries, count: int
):
    report = region_report(alpha, world)
    dashboard = _board(alpha, world)
    with alpha.active():
        for index in range(count):
            if index % 2:
                add_widget(dashboard, by=world.mara, report=report)
            else:
                add_widget(dashboard, by=world.mara, kind="test-won")
    client = alpha.client(MARA)
    client.get(f"/analytics/dashboards/{dashboard.pk}/")  # warm the session and caches

    with django_assert_max_num_queries(18):
        response = client.get(f"/analytics/dashboards/{dashboard.pk}/")
    assert len(_config(response)["widgets"]) == count


def test_a_report_widget_may_keep_to_all_time_whatever_the_period(alpha: TenantFixture, world: World):
    report = region_report(alpha, world)
    dashboard = _board(alpha, world)
    with alpha.active():
        widget = add_widget(dashboard, by=world.mara, report=report)
    client = alpha.client(MARA)
    base = f"/analytics/dashboards/{dashboard.pk}"

    assert client.post(f"{base}/widgets/{widget.pk}/change/", {"title": "", "date_field": "none"}).status_code == 302
    assert _config(client.get(f"{base}/"))["widgets"][0]["filters"] == ["owner"]
    january = _data(client, dashboard, widget, **JANUARY).json()
    assert sum(p["value"] for p in january["series"][0]["points"]) == 4  # all of Mara's visible deals
    client.post(f"{base}/widgets/{widget.pk}/change/", {"title": "", "date_field": "name"})
    client.post(f"{base}/widgets/{widget.pk}/change/", {"title": "", "date_field": "closed_at"})
    with alpha.active():
        widget.refresh_from_db()
    assert widget.options == {"date_field": "closed_at"}
    assert sum(p["value"] for p in _data(client, dashboard, widget, **JANUARY).json()["series"][0]["points"]) == 1
