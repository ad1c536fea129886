"""Report deliveries through REST and GraphQL: the owner subscribes, changes, reads the deliveries
and stops; bad input names the field and writes nothing; a key without the scope, a role without the
permission, someone else's report and another tenant all fail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from graphql_relay import to_global_id

from modules.analytics.reports.delivery.models import ReportDelivery, ReportSubscription
from modules.analytics.reports.delivery.services import create_subscription
from modules.analytics.reports.services import create_report
from tests.analytics.reports.conftest import World
from tests.api.access.helpers import bearer_client, issue_key, post_json
from tests.api.helpers import post_graphql
from tests.tenancy import TenantFixture, revoke

URL = "/api/v1/analytics/report-subscriptions/"
READ = ("analytics:read",)
WRITE = ("analytics:read", "analytics:write")
CREATE = """mutation($report: ID!, $input: ReportSubscriptionInput!) {
  reportSubscriptionCreate(report: $report, input: $input) {
    subscription { id frequency weekday hour fileFormat recipientIds } errors { field code message } } }"""
READ_QUERY = """query($id: ID!) { report(id: $id) { subscriptions { id frequency recipientIds
  deliveries { status attempts lastError recipientId } } } }"""


def _report(alpha: TenantFixture, world: World, *, by=None):
    with alpha.active():
        return create_report(by=by or world.admin, name="Deals", source="deals",
                             definition={"measures": [{"fn": "count"}]}, sharing="everyone")  # fmt: skip


def _subscribed(alpha: TenantFixture, world: World, report):
    with alpha.active():
        subscription = create_subscription(report=report, by=world.admin, recipients=[world.mara], frequency="daily",
                                           hour=6, file_format="pdf")  # fmt: skip
        ReportDelivery.objects.create(
            subscription=subscription, report=report, recipient=world.mara, key="k1", file_format="pdf",
            occurrence=datetime(2026, 3, 2, 4, tzinfo=UTC), status="failed", attempts=6, last_error="451 busy",
        )  # fmt: skip
    return subscription


def test_rest_manages_a_subscription_and_lists_its_deliveries(alpha: TenantFixture, world: World):
    report = _report(alpha, world)
    _key, token = issue_key(alpha, scopes=WRITE)
    client = bearer_client(alpha, token)

    created = post_json(client, URL, {"report": report.pk, "recipients": [world.mara.pk], "frequency": "weekly",
                                      "weekday": 2, "hour": 7, "file_format": "csv"})  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["frequency"], body["weekday"], body["recipients"], body["day_of_month"]) == (
        "weekly", 2, [world.mara.pk], None)  # fmt: skip
    patched = client.patch(f"{URL}{body['id']}/", {"hour": 21}, content_type="application/json")
    assert patched.status_code == 200
    assert patched.json()["hour"] == 21
    assert [item["id"] for item in client.get(URL, {"report": report.pk}).json()["results"]] == [body["id"]]

    with alpha.active():
        ReportDelivery.objects.create(
            subscription_id=body["id"], report=report, recipient=world.mara, key="k2", file_format="csv",
            occurrence=datetime(2026, 3, 4, 5, tzinfo=UTC), status="failed", attempts=6, last_error="451 busy",
        )  # fmt: skip
    deliveries = client.get(f"{URL}{body['id']}/deliveries/").json()["results"]
    assert [(item["status"], item["attempts"], item["last_error"]) for item in deliveries] == [
        ("failed", 6, "451 busy")
    ]
    assert client.delete(f"{URL}{body['id']}/").status_code == 204
    with alpha.active():
        assert not ReportSubscription.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"recipients": [], "frequency": "daily", "hour": 8, "file_format": "pdf"}, "recipients"),
        ({"frequency": "weekly", "hour": 8, "file_format": "pdf"}, "weekday"),
        ({"frequency": "monthly", "hour": 8, "file_format": "pdf"}, "day_of_month"),
        ({"frequency": "daily", "hour": 24, "file_format": "pdf"}, "hour"),
        ({"frequency": "daily", "hour": 8, "file_format": "docx"}, "file_format"),
        ({"frequency": "yearly", "hour": 8, "file_format": "pdf"}, "frequency"),
        ({"frequency": "daily", "hour": 8, "file_format": "pdf", "report": 10**9}, "report"),
        ({"frequency": "daily", "hour": 8, "file_format": "pdf", "recipients": [10**9]}, "recipients"),
    ],
)
def test_rest_refuses_bad_input_naming_the_field(alpha: TenantFixture, world: World, payload, field):
    report = _report(alpha, world)
    _key, token = issue_key(alpha, scopes=WRITE)
    payload = {"report": report.pk, "recipients": [world.mara.pk], **payload}

    response = post_json(bearer_client(alpha, token), URL, payload)

    assert response.status_code == 400, response.content
    assert field in [error["field"] for error in response.json()["errors"]]
    with alpha.active():
        assert not ReportSubscription.objects.exists()


def test_rest_needs_the_scope_the_permission_and_the_report_owner(alpha: TenantFixture, world: World):
    report = _report(alpha, world)
    subscription = _subscribed(alpha, world, report)
    _key, read_only = issue_key(alpha, scopes=READ)
    _key, contacts_only = issue_key(alpha, scopes=("contacts:read",))
    _key, mara_key = issue_key(alpha, email="mara@example.test", scopes=WRITE)
    detail = f"{URL}{subscription.pk}/"

    assert bearer_client(alpha, contacts_only).get(URL).status_code == 403
    assert bearer_client(alpha, contacts_only).get(f"{detail}deliveries/").status_code == 403
    assert bearer_client(alpha, read_only).get(detail).status_code == 200
    assert bearer_client(alpha, read_only).delete(detail).status_code == 403
    assert (
        bearer_client(alpha, read_only).patch(detail, {"hour": 3}, content_type="application/json").status_code == 403
    )
    # Mara may open the report but does not own it: its subscriptions are not hers to see.
    mara = bearer_client(alpha, mara_key)
    assert mara.get(URL).json()["results"] == []
    assert mara.get(f"{detail}deliveries/").status_code == 404
    assert post_json(mara, URL, {"report": report.pk, "recipients": [world.mara.pk], "frequency": "daily",
                                 "hour": 8, "file_format": "pdf"}).status_code in (400, 403)  # fmt: skip
    revoke(alpha, "admin", "analytics.view", "analytics.change")
    _key, admin_key = issue_key(alpha, scopes=WRITE)
    assert bearer_client(alpha, admin_key).get(URL).status_code == 403
    with alpha.active():
        subscription.refresh_from_db()
        assert subscription.hour == 6


def test_another_tenant_finds_no_subscription(alpha: TenantFixture, beta: TenantFixture, world: World):
    report = _report(alpha, world)
    subscription = _subscribed(alpha, world, report)
    _key, token = issue_key(beta, scopes=WRITE)
    client = bearer_client(beta, token)

    assert client.get(f"{URL}{subscription.pk}/").status_code == 404
    assert client.get(f"{URL}{subscription.pk}/deliveries/").status_code == 404
    assert client.delete(f"{URL}{subscription.pk}/").status_code == 404
    refused = post_json(client, URL, {"report": report.pk, "recipients": [world.admin.pk], "frequency": "daily",
                                      "hour": 8, "file_format": "pdf"})  # fmt: skip
    assert refused.status_code == 400
    with alpha.active():
        assert ReportSubscription.objects.filter(pk=subscription.pk).exists()


def test_graphql_subscribes_reads_deliveries_and_refuses_by_field(alpha: TenantFixture, world: World):
    report = _report(alpha, world)
    _subscribed(alpha, world, report)
    _key, token = issue_key(alpha, scopes=WRITE)
    client = bearer_client(alpha, token)
    report_id = to_global_id("Report", report.pk)

    created = post_graphql(client, CREATE, {"report": report_id, "input": {
        "recipients": [to_global_id("User", world.cid.pk)], "frequency": "WEEKLY", "weekday": 4, "hour": 9,
        "fileFormat": "CSV"}}).json()["data"]["reportSubscriptionCreate"]  # fmt: skip
    assert created["errors"] == []
    assert (created["subscription"]["frequency"], created["subscription"]["weekday"]) == ("weekly", 4)

    refused = post_graphql(client, CREATE, {"report": report_id, "input": {
        "recipients": [to_global_id("User", world.cid.pk)], "frequency": "MONTHLY", "hour": 9,
        "fileFormat": "PDF"}}).json()["data"]["reportSubscriptionCreate"]  # fmt: skip
    assert [(error["field"], error["code"]) for error in refused["errors"]] == [("dayOfMonth", "INVALID")]

    answer = post_graphql(client, READ_QUERY, {"id": report_id}).json()
    assert "errors" not in answer, answer
    found = answer["data"]["report"]["subscriptions"]
    assert [item["frequency"] for item in found] == ["daily", "weekly"]
    assert found[0]["deliveries"] == [
        {"status": "failed", "attempts": 6, "lastError": "451 busy", "recipientId": to_global_id("User", world.mara.pk)}
    ]
    with alpha.active():
        assert ReportSubscription.objects.count() == 2


def test_graphql_needs_the_scope_the_permission_and_the_owner(alpha: TenantFixture, world: World):
    report = _report(alpha, world)
    subscription = _subscribed(alpha, world, report)
    report_id, subscription_id = to_global_id("Report", report.pk), to_global_id("ReportSubscription", subscription.pk)
    delete = "mutation($id: ID!) { reportSubscriptionDelete(id: $id) { deletedId errors { field code } } }"
    _key, read_only = issue_key(alpha, scopes=READ)
    _key, mara_key = issue_key(alpha, email="mara@example.test", scopes=WRITE)

    refused = post_graphql(bearer_client(alpha, read_only), delete, {"id": subscription_id}).json()
    assert refused["data"]["reportSubscriptionDelete"]["errors"][0]["code"] == "PERMISSION_DENIED"
    mara = bearer_client(alpha, mara_key)
    assert post_graphql(mara, READ_QUERY, {"id": report_id}).json()["data"]["report"]["subscriptions"] == []
    not_hers = post_graphql(mara, delete, {"id": subscription_id}).json()["data"]["reportSubscriptionDelete"]
    assert not_hers["errors"][0]["code"] in ("NOT_FOUND", "PERMISSION_DENIED")
    with alpha.active():
        assert ReportSubscription.objects.filter(pk=subscription.pk).exists()


@pytest.mark.parametrize("count", [1, 6])
def test_the_lists_cost_the_same_queries_for_1_and_6_subscriptions(
    alpha: TenantFixture, world: World, count: int, django_assert_max_num_queries
):
    report = _report(alpha, world)
    for _index in range(count):
        _subscribed(alpha, world, report)
        with alpha.active():
            ReportDelivery.objects.filter(key="k1").update(key=f"k1-{_index}")
    _key, token = issue_key(alpha, scopes=READ)
    client = bearer_client(alpha, token)
    client.get(URL)  # the credential warms up

    with django_assert_max_num_queries(12):
        listed = client.get(URL).json()["results"]
    with django_assert_max_num_queries(14):
        body = post_graphql(client, READ_QUERY, {"id": to_global_id("Report", report.pk)}).json()

    assert len(listed) == count
    assert [len(item["deliveries"]) for item in body["data"]["report"]["subscriptions"]] == [1] * count
