"""Dashboards over REST: writes through the services, a widget's figures with the caller's own
records under the filters, scopes, permissions, other users' private dashboards, other tenants and
bad input named by field."""

from __future__ import annotations

import json

import pytest

from modules.analytics.dashboards.models import Dashboard, Widget
from modules.analytics.dashboards.services import add_widget, create_dashboard
from tests.analytics.dashboards.grid.conftest import region_report
from tests.analytics.reports.conftest import World
from tests.api.access.helpers import bearer_client, issue_key, post_json
from tests.tenancy import TenantFixture, revoke

URL = "/api/v1/analytics/dashboards/"
READ = ("analytics:read", "sales:read")
WRITE = ("analytics:read", "analytics:write", "sales:read")


def _fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def _board(alpha: TenantFixture, world: World, *, by=None, sharing="everyone") -> Dashboard:
    with alpha.active():
        return create_dashboard(by=by or world.admin, name="Board", sharing=sharing)


def test_rest_creates_fills_lays_out_and_deletes_a_dashboard(alpha: TenantFixture, world: World, kinds: None):
    report = region_report(alpha, world, by=world.admin)
    _key, token = issue_key(alpha, scopes=WRITE)
    client = bearer_client(alpha, token)

    created = post_json(client, URL, {"ready_made": "test-sales", "period": "last_30_days"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["name"], body["period"], body["owner"]["id"]) == ("Sales at a glance", "last_30_days", world.admin.pk)
    assert [w["kind"] for w in body["widgets"]] == ["test-won", "test-reports-only", "test-companies"]
    widgets = f"{URL}{body['id']}/widgets/"

    added = post_json(
        client, widgets, {"report": report.pk, "title": "Regions", "options": {"date_field": "closed_at"}}
    )
    assert added.status_code == 201, added.content
    assert (added.json()["display"], added.json()["filters"], added.json()["y"]) == ("bar", ["owner", "period"], 3)
    widget_id = added.json()["id"]
    patched = client.patch(f"{widgets}{widget_id}/", {"width": 12, "x": 0}, content_type="application/json")
    assert (patched.status_code, patched.json()["width"]) == (200, 12)
    laid = post_json(
        client, f"{URL}{body['id']}/layout/", {"widgets": [{"id": widget_id, "x": 0, "y": 0, "height": 4}]}
    )
    assert laid.status_code == 200, laid.content
    assert [w["height"] for w in laid.json()["widgets"] if w["id"] == widget_id] == [4]
    assert len(client.get(widgets).json()) == 4
    assert client.delete(f"{widgets}{widget_id}/").status_code == 204
    assert client.delete(f"{URL}{body['id']}/").status_code == 204
    with alpha.active():
        assert not Dashboard.objects.exists()
        assert not Widget.objects.exists()


def test_rest_gives_a_widgets_figures_under_the_filters(alpha: TenantFixture, world: World):
    report = region_report(alpha, world)
    dashboard = _board(alpha, world)
    with alpha.active():
        widget = add_widget(dashboard, by=world.admin, report=report, options={"date_field": "closed_at"})
    _key, token = issue_key(alpha, email="mara@example.test", scopes=READ)
    client = bearer_client(alpha, token)
    data = f"{URL}{dashboard.pk}/widgets/{widget.pk}/data/"

    january = client.get(data, {"start": "2025-01-01", "end": "2025-01-31"}).json()
    assert [(p["label"], p["value"]) for p in january["series"][0]["points"]] == [("North", 1)]
    anas = client.get(data, {"period": "all", "owner": world.ana.pk}).json()
    assert [(p["label"], p["value"]) for p in anas["series"][0]["points"]] == [("North", 2), ("South", 1)]
    assert anas["series"][0]["points"][0]["url"] == f"/deals/?owner={world.ana.pk}&cf.region=north"
    for params, field in (({"start": "2025-02-30"}, "start"), ({"owner": "x"}, "owner"), ({"period": "x"}, "period")):
        refused = client.get(data, params)
        assert refused.status_code == 400, params
        assert _fields(refused) == [field], params


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "no-such-kind"}, "kind"),
        ({"kind": "test-won", "x": 11}, "x"),
        ({"kind": "test-won", "width": 0}, "width"),
        ({"kind": "test-won", "height": 13}, "height"),
        ({"kind": "test-won", "title": "a\u0000b"}, "title"),
        ({"kind": "test-won", "title": "x" * 5000}, "title"),
        ({"kind": "test-won", "options": {"date_field": "closed_at"}}, "options"),
        ({"report": 987654}, "report"),
    ],
)
def test_rest_refuses_a_bad_widget_by_field(alpha: TenantFixture, world: World, kinds: None, payload, field):
    dashboard = _board(alpha, world)
    _key, token = issue_key(alpha, scopes=WRITE)

    response = post_json(bearer_client(alpha, token), f"{URL}{dashboard.pk}/widgets/", payload)

    assert response.status_code == 400, response.content
    assert field in _fields(response)
    with alpha.active():
        assert not Widget.objects.exists()


def test_rest_refuses_a_bad_dashboard_by_field(alpha: TenantFixture, world: World):
    _key, token = issue_key(alpha, scopes=WRITE)
    client = bearer_client(alpha, token)

    for payload, field in (
        ({"name": "x\u0000"}, "name"), ({"name": "x" * 300}, "name"), ({"name": ""}, "name"),
        ({"name": "A", "period": "ever"}, "period"), ({"name": "A", "sharing": "role"}, "shared_role"),
        ({"ready_made": "nothing"}, "ready_made"),
    ):  # fmt: skip
        response = post_json(client, URL, payload)
        assert response.status_code == 400, payload
        assert field in _fields(response), payload
    huge = client.post(URL, json.dumps({"name": "A", "junk": "x" * 3_000_000}), content_type="application/json")
    assert 400 <= huge.status_code < 500
    with alpha.active():
        assert not Dashboard.objects.exists()


def test_scopes_permissions_and_private_dashboards_are_enforced(alpha: TenantFixture, world: World, kinds: None):
    dashboard = _board(alpha, world)
    private = _board(alpha, world, by=world.cid, sharing="private")
    with alpha.active():
        widget = add_widget(dashboard, by=world.admin, kind="test-won")
        hidden = add_widget(private, by=world.cid, kind="test-won")
    _key, contacts_only = issue_key(alpha, scopes=("contacts:read",))
    _key, read = issue_key(alpha, scopes=READ)
    _key, analytics_only = issue_key(alpha, scopes=("analytics:read",))
    _key, mara = issue_key(alpha, email="mara@example.test", scopes=WRITE)
    data = f"{URL}{dashboard.pk}/widgets/{widget.pk}/data/"

    assert bearer_client(alpha, contacts_only).get(URL).status_code == 403
    assert bearer_client(alpha, contacts_only).get(data).status_code == 403
    assert bearer_client(alpha, read).get(data).status_code == 200
    # The key reads analytics but not sales: the deals widget is not its to show.
    assert bearer_client(alpha, analytics_only).get(data).status_code == 403
    assert post_json(bearer_client(alpha, read), URL, {"name": "X"}).status_code == 403
    assert bearer_client(alpha, read).delete(f"{URL}{dashboard.pk}/").status_code == 403
    # Mara may open the admin's shared dashboard but not change it, and not see Cid's private one.
    mara_client = bearer_client(alpha, mara)
    assert mara_client.get(f"{URL}{dashboard.pk}/").status_code == 200
    assert mara_client.patch(f"{URL}{dashboard.pk}/", {"name": "M"}, content_type="application/json").status_code == 403
    assert post_json(mara_client, f"{URL}{dashboard.pk}/widgets/", {"kind": "test-won"}).status_code == 403
    assert mara_client.delete(f"{URL}{dashboard.pk}/widgets/{widget.pk}/").status_code == 403
    assert mara_client.get(f"{URL}{private.pk}/").status_code == 404
    assert mara_client.get(f"{URL}{private.pk}/widgets/{hidden.pk}/data/").status_code == 404
    revoke(alpha, "admin", "analytics.view")
    assert bearer_client(alpha, read).get(URL).status_code == 403
    with alpha.active():
        assert Dashboard.objects.get(pk=dashboard.pk).name == "Board"
        assert Widget.objects.count() == 2


def test_another_tenants_key_finds_no_dashboard(alpha: TenantFixture, beta: TenantFixture, world: World):
    dashboard = _board(alpha, world)
    with alpha.active():
        widget = add_widget(dashboard, by=world.admin, report=region_report(alpha, world))
    _key, token = issue_key(beta, scopes=WRITE)
    client = bearer_client(beta, token)

    assert client.get(f"{URL}{dashboard.pk}/").status_code == 404
    assert client.get(f"{URL}{dashboard.pk}/widgets/{widget.pk}/data/").status_code == 404
    assert client.delete(f"{URL}{dashboard.pk}/").status_code == 404
    with alpha.active():
        assert Widget.objects.filter(pk=widget.pk).exists()
