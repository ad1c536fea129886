"""The order list on the list framework: bulk status changes all or nothing, owners, saved views,
within visibility, permissions and the tenant."""

from __future__ import annotations

import re

from modules.contacts.models import SavedView
from modules.sales.models import Order
from tests.sales.orders.conftest import make_order
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, revoke, schema_snapshot


def _selectable(html: str) -> list[str]:
    return re.findall(r'name="ids" value="(\d+)"', html)


def test_orders_filter_by_status_and_sort_by_total(alpha: TenantFixture):
    small, large = make_order(alpha, lines=1), make_order(alpha, lines=3)
    paid = make_order(alpha, lines=2)
    with alpha.active():
        Order.objects.filter(pk=paid.pk).update(status="paid")
    client = alpha.client()

    by_total = client.get("/orders/", {"sort": "-total", "status": "confirmed"}).content.decode()

    assert _selectable(by_total) == [str(large.pk), str(small.pk)]


def test_a_status_change_refused_by_one_order_changes_none(alpha: TenantFixture):
    confirmed, cancelled = make_order(alpha), make_order(alpha)
    with alpha.active():
        Order.objects.filter(pk=cancelled.pk).update(status="cancelled")
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post("/orders/bulk/", {"action": "order_status", "order_status": "fulfilled",
                                             "ids": [confirmed.pk, cancelled.pk]}, follow=True)  # fmt: skip
    unchanged = schema_snapshot(alpha.tenant)
    done = client.post("/orders/bulk/", {"action": "order_status", "order_status": "fulfilled", "ids": [confirmed.pk]})

    page = response.content.decode()
    assert "Nothing was changed" in page
    assert f"{cancelled.number}:" in page
    assert f"{confirmed.number}:" not in page
    assert unchanged == before
    assert done.status_code == 302
    with alpha.active():
        assert dict(Order.objects.values_list("pk", "status")) == {confirmed.pk: "fulfilled", cancelled.pk: "cancelled"}


def test_orders_get_a_new_owner_and_are_deleted_with_the_permissions_only(alpha: TenantFixture):
    mine, doomed = make_order(alpha, owner_email=REP_EMAIL), make_order(alpha, owner_email=REP_EMAIL)
    revoke(alpha, "sales_rep", "sales.delete")
    client = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    refused = client.post("/orders/bulk/", {"action": "delete", "ids": [doomed.pk]})
    assert refused.status_code == 403
    assert schema_snapshot(alpha.tenant) == before
    alpha.client().post("/orders/bulk/", {"action": "assign_owner", "owner": alpha.user().pk, "ids": [mine.pk]})
    alpha.client().post("/orders/bulk/", {"action": "delete", "ids": [doomed.pk]})

    with alpha.active():
        assert list(Order.objects.values_list("pk", "owner_id")) == [(mine.pk, alpha.user().pk)]


def test_a_rep_cannot_act_on_orders_they_cannot_see(alpha: TenantFixture):
    mine, theirs = make_order(alpha, owner_email=REP_EMAIL), make_order(alpha)
    client = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    response = client.post("/orders/bulk/", {"action": "order_status", "order_status": "fulfilled",
                                             "ids": [mine.pk, theirs.pk]})  # fmt: skip

    assert response.status_code == 404
    assert schema_snapshot(alpha.tenant) == before


def test_order_views_and_bulk_actions_stay_in_their_tenant(alpha: TenantFixture, beta: TenantFixture):
    order = make_order(alpha)
    with alpha.active():
        view = SavedView.objects.create(owner=alpha.user(), entity="order", name="Alpha", is_shared=True)

    assert_cross_tenant_requests_fail(alpha, beta, [
        ("post", "/orders/bulk/", {"action": "order_status", "order_status": "fulfilled", "ids": [order.pk]}),
        ("get", f"/orders/?view={view.pk}", {}),
        ("post", f"/orders/views/{view.pk}/delete/", {}),
    ])  # fmt: skip
