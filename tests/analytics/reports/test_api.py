"""Saved reports through REST and GraphQL: writes through the services, runs as JSON and CSV with
the caller's own figures, scopes, permissions, other tenants and bad definitions."""

from __future__ import annotations

import pytest
from graphql_relay import to_global_id

from modules.analytics.reports.models import Report
from modules.analytics.reports.services import create_report
from tests.analytics.reports.conftest import World
from tests.api.access.helpers import bearer_client, issue_key, post_json
from tests.api.helpers import post_graphql
from tests.tenancy import TenantFixture, revoke

URL = "/api/v1/analytics/reports/"
READ = ("analytics:read", "sales:read")
WRITE = ("analytics:read", "analytics:write", "sales:read")
BY_OWNER = {"group_by": [{"field": "owner"}], "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}]}
QUERY = """query($id: ID!, $from: Date, $to: Date) {
  report(id: $id) { name source result(dateField: "closed_at", from: $from, to: $to) {
    dimensions { field label } measures { fn label } rows { keys labels values url } currency timeZone } }
}"""


def _saved(alpha: TenantFixture, world: World, **values) -> Report:
    with alpha.active():
        return create_report(by=values.pop("by", world.admin), name="By owner", source="deals",
                             definition=values.pop("definition", BY_OWNER), sharing="everyone", **values)  # fmt: skip


def test_rest_creates_reads_updates_and_deletes_a_report(alpha: TenantFixture, world: World):
    _key, token = issue_key(alpha, scopes=WRITE)
    client = bearer_client(alpha, token)

    created = post_json(client, URL, {"name": "Per owner", "source": "deals", "definition": BY_OWNER, "chart": "pie"})
    assert created.status_code == 201, created.content
    report_id = created.json()["id"]
    assert created.json()["owner"]["id"] == world.admin.pk

    assert client.get(f"{URL}{report_id}/").json()["chart"] == "pie"
    patched = client.patch(f"{URL}{report_id}/", {"name": "Owners"}, content_type="application/json")
    assert patched.status_code == 200
    assert patched.json()["name"] == "Owners"
    assert [item["id"] for item in client.get(URL).json()["results"]] == [report_id]
    assert client.delete(f"{URL}{report_id}/").status_code == 204
    with alpha.active():
        assert not Report.objects.exists()


def test_rest_runs_a_report_as_json_and_csv_with_the_callers_figures(alpha: TenantFixture, world: World):
    report = _saved(alpha, world)
    _key, admin_token = issue_key(alpha, scopes=READ)
    _key, mara_token = issue_key(alpha, email="mara@example.test", scopes=READ)

    body = bearer_client(alpha, admin_token).get(f"{URL}{report.pk}/run/").json()
    assert [(row["labels"], row["values"]) for row in body["rows"]] == [
        (["Ana"], [3, "1680.00"]),
        (["Cid"], [1, "4000.00"]),
        (["Mara"], [1, "300.00"]),
    ]
    assert body["rows"][0]["url"] == f"/deals/?owner={world.ana.pk}"
    assert (body["currency"], body["time_zone"]) == ("EUR", "Europe/Bucharest")

    mara = bearer_client(alpha, mara_token).get(f"{URL}{report.pk}/run/", {"output": "csv"})
    assert mara["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(mara.streaming_content).decode().lstrip("\ufeff")
    assert text.splitlines() == ["Owner,Count,Sum: Amount", "Ana,3,1680.00", "Mara,1,300.00"]


def test_rest_narrows_a_run_like_a_dashboard_widget(alpha: TenantFixture, world: World):
    report = _saved(alpha, world)
    _key, token = issue_key(alpha, scopes=READ)

    body = (
        bearer_client(alpha, token)
        .get(f"{URL}{report.pk}/run/", {"date_field": "closed_at", "from": "2025-01-01", "to": "2025-01-31"})
        .json()
    )

    assert [(row["labels"], row["values"]) for row in body["rows"]] == [
        (["Ana"], [1, "1000.00"]),
        (["Cid"], [1, "4000.00"]),
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (
            {"name": "X", "source": "deals", "definition": {"group_by": [{"field": "nope"}]}},
            "definition.group_by.0.field",
        ),
        (
            {"name": "X", "source": "deals", "definition": {"measures": [{"fn": "avg", "field": "stage"}]}},
            "definition.measures.0.fn",
        ),
        ({"name": "X", "source": "moons", "definition": BY_OWNER}, "source"),
        ({"name": "", "source": "deals", "definition": BY_OWNER}, "name"),
        ({"name": "X", "source": "deals", "definition": BY_OWNER, "sharing": "team"}, "shared_team"),
    ],
)
def test_rest_refuses_a_bad_report_naming_the_field(alpha: TenantFixture, world: World, payload, field):
    _key, token = issue_key(alpha, scopes=WRITE)

    response = post_json(bearer_client(alpha, token), URL, payload)

    assert response.status_code == 400
    assert field in [error["field"] for error in response.json()["errors"]]
    with alpha.active():
        assert not Report.objects.exists()


def test_rest_refuses_bad_run_parameters_by_name(alpha: TenantFixture, world: World):
    report = _saved(alpha, world)
    _key, token = issue_key(alpha, scopes=READ)
    client = bearer_client(alpha, token)

    for params, field in (({"from": "2025-01-01"}, "date_field"), ({"date_field": "closed_at", "from": "soon"}, "from"),
                          ({"output": "html"}, "output"), ({"owner": "me"}, "owner")):  # fmt: skip
        response = client.get(f"{URL}{report.pk}/run/", params)
        assert response.status_code == 400, params
        assert field in [error["field"] for error in response.json()["errors"]], params


def test_scopes_and_permissions_are_enforced(alpha: TenantFixture, world: World):
    report = _saved(alpha, world)
    _key, contacts_only = issue_key(alpha, scopes=("contacts:read",))
    _key, analytics_only = issue_key(alpha, scopes=("analytics:read",))
    _key, read = issue_key(alpha, scopes=READ)

    assert bearer_client(alpha, contacts_only).get(URL).status_code == 403
    assert bearer_client(alpha, contacts_only).get(f"{URL}{report.pk}/run/").status_code == 403
    # The key reads analytics but not sales: deals are not its to count.
    refused = bearer_client(alpha, analytics_only).get(f"{URL}{report.pk}/run/")
    assert refused.status_code == 400
    assert [error["field"] for error in refused.json()["errors"]] == ["source"]
    assert (
        post_json(bearer_client(alpha, read), URL, {"name": "X", "source": "deals", "definition": BY_OWNER}).status_code
        == 403
    )
    assert bearer_client(alpha, read).delete(f"{URL}{report.pk}/").status_code == 403

    revoke(alpha, "admin", "analytics.view")
    assert bearer_client(alpha, read).get(URL).status_code == 403
    with alpha.active():
        assert Report.objects.count() == 1


def test_only_the_owner_changes_a_shared_report(alpha: TenantFixture, world: World):
    report = _saved(alpha, world, by=world.mara)
    _key, token = issue_key(alpha, scopes=WRITE)
    client = bearer_client(alpha, token)

    assert client.get(f"{URL}{report.pk}/").status_code == 200
    assert client.patch(f"{URL}{report.pk}/", {"name": "Mine"}, content_type="application/json").status_code == 403
    assert client.delete(f"{URL}{report.pk}/").status_code == 403
    with alpha.active():
        assert Report.objects.get().name == "By owner"


def test_another_tenants_key_finds_no_report(alpha: TenantFixture, beta: TenantFixture, world: World):
    report = _saved(alpha, world)
    _key, token = issue_key(beta, scopes=WRITE)
    client = bearer_client(beta, token)

    assert client.get(f"{URL}{report.pk}/").status_code == 404
    assert client.get(f"{URL}{report.pk}/run/").status_code == 404
    assert client.delete(f"{URL}{report.pk}/").status_code == 404
    result = post_graphql(client, QUERY, {"id": to_global_id("Report", report.pk)}).json()
    assert result["data"]["report"] is None


def test_graphql_runs_a_report_for_the_caller(alpha: TenantFixture, world: World):
    report = _saved(alpha, world)
    _key, token = issue_key(alpha, email="mara@example.test", scopes=READ)

    body = post_graphql(
        bearer_client(alpha, token), QUERY, {"id": to_global_id("Report", report.pk), "from": "2025-02-01"}
    ).json()

    result = body["data"]["report"]["result"]
    assert [(row["labels"], row["values"]) for row in result["rows"]] == [
        (["Ana"], ["2", "680.00"]),
        (["Mara"], ["1", "300.00"]),
    ]
    assert result["measures"][1] == {"fn": "sum", "label": "Sum: Amount"}


def test_graphql_needs_the_scope_and_names_a_bad_parameter(alpha: TenantFixture, world: World):
    report = _saved(alpha, world)
    _key, contacts_only = issue_key(alpha, scopes=("contacts:read",))
    _key, read = issue_key(alpha, scopes=READ)

    denied = post_graphql(bearer_client(alpha, contacts_only), "{ reports { id } }").json()
    assert denied["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"
    bad = post_graphql(
        bearer_client(alpha, read),
        """query($id: ID!) { report(id: $id) { result(owner: 1, from: "2025-01-01") { truncated } } }""",
        {"id": to_global_id("Report", report.pk)},
    ).json()
    assert bad["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "date_field"}
