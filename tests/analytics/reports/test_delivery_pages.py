"""Subscribing users to a report on its page: created, changed and deleted through the services by
the report's owner only, bad input refused by field name with nothing written, the Deliveries panel
at a fixed number of queries, and nobody else — another tenant, a role without the permissions, a
tenant without analytics — reaches any of it."""

from __future__ import annotations

import pytest

from customization.events.models import DomainEvent
from modules.analytics.reports.delivery.models import ReportSubscription
from modules.analytics.reports.delivery.services import create_subscription
from modules.analytics.reports.services import create_report
from tests.analytics.reports.conftest import World
from tests.tenancy import TenantFixture, assert_cross_tenant_requests_fail, revoke

COUNT = {"measures": [{"fn": "count"}]}


def _report(alpha: TenantFixture, world: World, *, sharing="everyone"):
    with alpha.active():
        return create_report(by=world.admin, name="Deals", source="deals", definition=COUNT, sharing=sharing)


def _subscribe(alpha: TenantFixture, world: World, report, **values):
    with alpha.active():
        return create_subscription(report=report, by=world.admin, **{
            "recipients": [world.admin], "frequency": "daily", "hour": 7, "file_format": "pdf", **values})  # fmt: skip


def _errors(response) -> set[str]:
    return set(response.context["form"].errors)


def test_the_owner_subscribes_changes_and_stops_a_delivery(alpha: TenantFixture, world: World):
    report = _report(alpha, world)
    client = alpha.client()
    new = f"/analytics/reports/{report.pk}/deliveries/new/"
    assert client.get(new).status_code == 200

    created = client.post(new, {"recipients": [world.admin.pk, world.mara.pk], "frequency": "monthly",
                                "day_of_month": "31", "hour": "9", "file_format": "csv"})  # fmt: skip

    assert created.status_code == 302
    with alpha.active():
        subscription = ReportSubscription.objects.get(report=report)
        assert (subscription.frequency, subscription.day_of_month, subscription.weekday) == ("monthly", 31, None)
        assert set(subscription.recipients.values_list("email", flat=True)) == {
            "admin@example.test",
            "mara@example.test",
        }
        assert DomainEvent.objects.filter(type="report_subscription.created", record_id=subscription.pk).exists()
    page = client.get(f"/analytics/reports/{report.pk}/").content.decode()
    assert "on day 31 of every month at 09:00 (Europe/Bucharest)" in page

    edit = f"/analytics/reports/{report.pk}/deliveries/{subscription.pk}/edit/"
    assert client.get(edit).status_code == 200
    changed = client.post(edit, {"recipients": [world.mara.pk], "frequency": "weekly", "weekday": "4", "hour": "17",
                                 "file_format": "pdf"})  # fmt: skip
    assert changed.status_code == 302
    with alpha.active():
        subscription.refresh_from_db()
        assert (subscription.weekday, subscription.day_of_month, subscription.hour) == (4, None, 17)
        assert list(subscription.recipients.values_list("email", flat=True)) == ["mara@example.test"]

    assert client.post(f"/analytics/reports/{report.pk}/deliveries/{subscription.pk}/delete/").status_code == 302
    with alpha.active():
        assert not ReportSubscription.objects.exists()
        assert DomainEvent.objects.filter(type="report_subscription.deleted").count() == 1


@pytest.mark.parametrize(
    ("posted", "fields"),
    [
        ({"frequency": "daily", "hour": "8", "file_format": "pdf"}, {"recipients"}),
        ({"frequency": "weekly", "hour": "8", "file_format": "pdf", "recipients": "self"}, {"weekday"}),
        ({"frequency": "monthly", "hour": "8", "file_format": "pdf", "recipients": "self"}, {"day_of_month"}),
        ({"frequency": "monthly", "day_of_month": "32", "hour": "8", "file_format": "pdf", "recipients": "self"},
         {"day_of_month"}),
        ({"frequency": "hourly", "hour": "24", "file_format": "doc", "recipients": "self"},
         {"frequency", "hour", "file_format"}),
        ({"frequency": "daily", "hour": "8\x00", "file_format": "pdf", "recipients": "999999"}, {"hour", "recipients"}),
        ({"frequency": "daily", "day_of_month": "9" * 400, "hour": "8", "file_format": "pdf", "recipients": "self"},
         {"day_of_month"}),
    ],
)  # fmt: skip
def test_bad_input_is_refused_by_field_and_nothing_is_written(alpha: TenantFixture, world: World, posted, fields):
    report = _report(alpha, world)
    if posted.get("recipients") == "self":
        posted = {**posted, "recipients": world.admin.pk}

    response = alpha.client().post(f"/analytics/reports/{report.pk}/deliveries/new/", posted)

    assert response.status_code == 400
    assert _errors(response) == fields
    with alpha.active():
        assert not ReportSubscription.objects.exists()


def test_a_recipient_who_cannot_open_the_report_is_refused_by_name(alpha: TenantFixture, world: World):
    report = _report(alpha, world, sharing="private")

    posted = {"recipients": [world.admin.pk, world.cid.pk], "frequency": "daily", "hour": "8", "file_format": "pdf"}

    response = alpha.client().post(f"/analytics/reports/{report.pk}/deliveries/new/", posted)

    assert response.status_code == 400
    assert response.context["form"].errors["recipients"] == ["These users cannot open this report: Cid."]
    with alpha.active():
        assert not ReportSubscription.objects.exists()


def test_only_the_owner_with_analytics_change_manages_deliveries(alpha: TenantFixture, world: World):
    report = _report(alpha, world)
    subscription = _subscribe(alpha, world, report)
    paths = [
        ("get", f"/analytics/reports/{report.pk}/deliveries/new/"),
        ("post", f"/analytics/reports/{report.pk}/deliveries/new/"),
        ("get", f"/analytics/reports/{report.pk}/deliveries/{subscription.pk}/edit/"),
        ("post", f"/analytics/reports/{report.pk}/deliveries/{subscription.pk}/edit/"),
        ("post", f"/analytics/reports/{report.pk}/deliveries/{subscription.pk}/delete/"),
    ]
    ana = alpha.client("ana@example.test")  # a rep: analytics.view, not analytics.change
    mara = alpha.client("mara@example.test")  # may open it, not its owner
    for method, path in paths:
        assert getattr(ana, method)(path).status_code == 403, path
        assert getattr(mara, method)(path).status_code == 403, path
    assert 'data-testid="deliveries"' not in mara.get(f"/analytics/reports/{report.pk}/").content.decode()
    revoke(alpha, "admin", "analytics.change")
    for method, path in paths:
        assert getattr(alpha.client(), method)(path).status_code == 403, path
    with alpha.active():
        assert ReportSubscription.objects.filter(pk=subscription.pk).exists()


def test_another_tenant_reaches_no_delivery(alpha: TenantFixture, beta: TenantFixture, world: World):
    report = _report(alpha, world)
    subscription = _subscribe(alpha, world, report)
    posted = {"recipients": [world.admin.pk], "frequency": "daily", "hour": "8", "file_format": "pdf"}
    assert_cross_tenant_requests_fail(alpha, beta, [
        ("get", f"/analytics/reports/{report.pk}/deliveries/new/", {}),
        ("post", f"/analytics/reports/{report.pk}/deliveries/new/", posted),
        ("get", f"/analytics/reports/{report.pk}/deliveries/{subscription.pk}/edit/", {}),
        ("post", f"/analytics/reports/{report.pk}/deliveries/{subscription.pk}/edit/", posted),
        ("post", f"/analytics/reports/{report.pk}/deliveries/{subscription.pk}/delete/", {}),
    ])  # fmt: skip


@pytest.mark.parametrize("subscriptions", [1, 6])
def test_the_deliveries_panel_costs_the_same_queries_for_1_and_6_subscriptions(
    alpha: TenantFixture, world: World, subscriptions: int, django_assert_max_num_queries
):
    report = _report(alpha, world)
    for _index in range(subscriptions):
        _subscribe(alpha, world, report, recipients=[world.admin, world.mara])
    client = alpha.client()
    client.get("/analytics/")

    with django_assert_max_num_queries(17):
        response = client.get(f"/analytics/reports/{report.pk}/")

    assert len(response.context["deliveries_panel"]["subscriptions"]) == subscriptions
