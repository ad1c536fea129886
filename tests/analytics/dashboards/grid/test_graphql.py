"""Dashboards in GraphQL: dashboards with their widgets and each widget's figures under the
filters, mutations through the services, scopes, owners and bad input named by field."""

from __future__ import annotations

from graphql_relay import to_global_id

from modules.analytics.dashboards.models import Dashboard, Widget
from modules.analytics.dashboards.services import add_widget, create_dashboard
from tests.analytics.dashboards.grid.conftest import region_report
from tests.analytics.reports.conftest import World
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.tenancy import TenantFixture

READ = ("analytics:read", "sales:read")
WRITE = ("analytics:read", "analytics:write", "sales:read")
QUERY = """query($id: ID!, $start: Date, $end: Date, $owner: Int) {
  dashboard(id: $id) { name period widgets { id title kind reportId display filters width
    data(start: $start, end: $end, owner: $owner) { display value series { name unit points { label value url } } } } }
}"""
CREATE = """mutation($name: String, $readyMade: String) {
  dashboardCreate(name: $name, readyMade: $readyMade) { dashboard { id name widgets { kind } } errors { field code } }
}"""
ADD = """mutation($dashboard: ID!, $report: ID, $kind: String, $x: Int, $width: Int, $options: JSONString) {
  dashboardWidgetCreate(dashboard: $dashboard, report: $report, kind: $kind, x: $x, width: $width, options: $options) {
    dashboardWidget { id x width filters } errors { field code message } }
}"""


def test_graphql_reads_a_dashboard_and_its_widgets_figures(alpha: TenantFixture, world: World, kinds: None):
    report = region_report(alpha, world)
    with alpha.active():
        dashboard = create_dashboard(by=world.admin, name="Board", sharing="everyone")
        add_widget(dashboard, by=world.admin, report=report, options={"date_field": "closed_at"})
        add_widget(dashboard, by=world.admin, kind="test-companies")
    _key, token = issue_key(alpha, email="mara@example.test", scopes=READ)

    variables = {"id": to_global_id("Dashboard", dashboard.pk), "start": "2025-01-01", "end": "2025-12-31"}
    body = post_graphql(bearer_client(alpha, token), QUERY, {**variables, "owner": world.ana.pk}).json()

    regions, companies = body["data"]["dashboard"]["widgets"]
    assert (regions["title"], regions["reportId"], regions["filters"]) == (
        "By region", to_global_id("Report", report.pk), ["owner", "period"],
    )  # fmt: skip
    points = regions["data"]["series"][0]["points"]
    assert [(p["label"], p["value"]) for p in points] == [("North", 2.0), ("South", 1.0)]
    assert (companies["kind"], companies["filters"]) == ("test-companies", ["owner"])
    assert companies["data"]["display"] == "table"


def test_graphql_creates_fills_and_deletes_a_dashboard(alpha: TenantFixture, world: World, kinds: None):
    report = region_report(alpha, world, by=world.admin)
    _key, token = issue_key(alpha, scopes=WRITE)
    client = bearer_client(alpha, token)

    created = post_graphql(client, CREATE, {"readyMade": "test-sales"}).json()["data"]["dashboardCreate"]
    assert created["errors"] == []
    kinds_made = [w["kind"] for w in created["dashboard"]["widgets"]]
    assert kinds_made == ["test-won", "test-reports-only", "test-companies"]
    board = created["dashboard"]["id"]
    added = post_graphql(client, ADD, {"dashboard": board, "report": to_global_id("Report", report.pk), "width": 12})
    widget = added.json()["data"]["dashboardWidgetCreate"]["dashboardWidget"]
    assert (widget["width"], widget["filters"]) == (12, ["owner", "period"])
    moved = post_graphql(
        client,
        'mutation($w: ID!) { dashboardWidgetUpdate(dashboardWidget: $w, x: 6, width: 6, title: "R") '
        "{ dashboardWidget { x title } errors { field } } }",
        {"w": widget["id"]},
    ).json()["data"]["dashboardWidgetUpdate"]
    assert moved == {"dashboardWidget": {"x": 6, "title": "R"}, "errors": []}
    renamed = post_graphql(client, "mutation($d: ID!) { dashboardUpdate(dashboard: $d, name: \"Sales\", sharing: "
                           "\"everyone\") { dashboard { name } errors { field } } }", {"d": board}).json()  # fmt: skip
    assert renamed["data"]["dashboardUpdate"] == {"dashboard": {"name": "Sales"}, "errors": []}
    removed = post_graphql(
        client,
        "mutation($w: ID!) { dashboardWidgetDelete(dashboardWidget: $w) { errors { field } } }",
        {"w": widget["id"]},
    ).json()
    assert removed["data"]["dashboardWidgetDelete"]["errors"] == []
    deleted = post_graphql(
        client, "mutation($d: ID!) { dashboardDelete(dashboard: $d) { deletedId errors { field } } }", {"d": board}
    ).json()
    assert deleted["data"]["dashboardDelete"]["errors"] == []
    with alpha.active():
        assert not Dashboard.objects.exists()


def test_graphql_names_bad_input_and_enforces_scopes_and_owners(alpha: TenantFixture, world: World, kinds: None):
    with alpha.active():
        dashboard = create_dashboard(by=world.admin, name="Board", sharing="everyone")
        widget = add_widget(dashboard, by=world.admin, kind="test-won")
        private = create_dashboard(by=world.cid, name="Cid's", sharing="private")
    board = to_global_id("Dashboard", dashboard.pk)
    _key, write = issue_key(alpha, scopes=WRITE)
    _key, read = issue_key(alpha, scopes=READ)
    _key, contacts_only = issue_key(alpha, scopes=("contacts:read",))
    _key, mara = issue_key(alpha, email="mara@example.test", scopes=WRITE)

    for variables, field in (({"kind": "nothing"}, "kind"), ({"kind": "test-won", "x": 11}, "x"),
                             ({"kind": "test-won", "width": 13}, "width"),
                             ({"kind": "test-won", "options": "{\"date_field\": \"closed_at\"}"}, "options"),
                             ({"report": to_global_id("Report", 987654)}, "report")):  # fmt: skip
        answer = post_graphql(bearer_client(alpha, write), ADD, {"dashboard": board, **variables}).json()
        assert field in [error["field"] for error in answer["data"]["dashboardWidgetCreate"]["errors"]], variables
    bad_name = post_graphql(bearer_client(alpha, write), CREATE, {"name": "a\u0000b"}).json()
    assert bad_name["data"]["dashboardCreate"]["errors"][0]["field"] == "name"
    backwards = {"id": board, "start": "2025-02-01", "end": "2025-01-01"}
    bad_filter = post_graphql(bearer_client(alpha, read), QUERY, backwards)
    assert bad_filter.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "end"}

    denied = post_graphql(bearer_client(alpha, contacts_only), "{ dashboards { id } }").json()
    assert denied["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"
    read_only = post_graphql(bearer_client(alpha, read), CREATE, {"name": "X"}).json()["data"]["dashboardCreate"]
    assert read_only["errors"][0]["code"] == "PERMISSION_DENIED"
    not_owner = post_graphql(bearer_client(alpha, mara), ADD, {"dashboard": board, "kind": "test-won"}).json()
    assert not_owner["data"]["dashboardWidgetCreate"]["errors"][0]["code"] == "PERMISSION_DENIED"
    hidden = post_graphql(bearer_client(alpha, mara), QUERY, {"id": to_global_id("Dashboard", private.pk)}).json()
    assert hidden["data"]["dashboard"] is None
    with alpha.active():
        assert list(Widget.objects.values_list("pk", flat=True)) == [widget.pk]
        assert Dashboard.objects.count() == 2
