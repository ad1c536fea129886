"""The order line list: every line of the orders the reader may see, filtered by the order's status,
owner, dates and company and by the line's product or order; permissions, the plan, tenants, and
a query count that does not grow with the page."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from modules.sales.services.orders import create_order, set_order_status
from tests.entitlements.helpers import without_modules
from tests.factories import CompanyFactory, ProductFactory
from tests.sales.catalog.conftest import MakeUser
from tests.sales.orders.conftest import line, make_order
from tests.tenancy import REP_EMAIL, TenantFixture, revoke, with_session_of

LIST = "/orders/lines/"


def _count(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return int(response.context["count"].value)


def test_the_list_shows_each_line_and_filters_like_a_report_group(alpha: TenantFixture):
    with alpha.active():
        widget = ProductFactory(name="Widget")
        first = create_order(
            by=alpha.user(), company=CompanyFactory(), currency="EUR", ordered_on=date(2026, 3, 2),
            lines=[line("Widget, blue", product=widget), line("Set-up")],
        )  # fmt: skip
        second = create_order(
            by=alpha.user(REP_EMAIL), company=CompanyFactory(), currency="EUR", ordered_on=date(2026, 4, 10),
            lines=[line("Widget, red", product=widget)],
        )  # fmt: skip
        set_order_status(second, "cancelled", by=alpha.user())
    client = alpha.client()

    page = client.get(LIST).content.decode()

    for description in ("Widget, blue", "Set-up", "Widget, red"):
        assert description in page
    assert _count(client, LIST) == 3
    assert _count(client, f"{LIST}?product={widget.pk}") == 2
    assert _count(client, f"{LIST}?product=none") == 1
    assert _count(client, f"{LIST}?order={first.pk}") == 2
    assert _count(client, f"{LIST}?status=cancelled") == 1
    assert _count(client, f"{LIST}?from=2026-04-01&to=2026-04-30") == 1
    assert _count(client, f"{LIST}?company={first.company_id}") == 2
    assert _count(client, f"{LIST}?q=red") == 1
    assert _count(client, f"{LIST}?product=abc&order=x&from=notaday") == 3  # unreadable values are ignored


def test_a_rep_sees_the_lines_of_their_own_orders_only(alpha: TenantFixture):
    make_order(alpha, lines=2, owner_email=REP_EMAIL)
    make_order(alpha, lines=3)

    assert _count(alpha.client(REP_EMAIL), LIST) == 2
    assert _count(alpha.client(), LIST) == 5


def test_the_list_needs_sales_view_and_the_sales_module(alpha: TenantFixture, make_user: MakeUser):
    make_user("read_only", "reader@example.test")
    assert alpha.client("reader@example.test").get(LIST).status_code == 200
    revoke(alpha, "sales_rep", "sales.view")
    assert alpha.client(REP_EMAIL).get(LIST).status_code == 403
    without_modules(alpha, "sales")
    refused = alpha.client().get(LIST)
    assert refused.status_code == 403
    assert "errors/not_in_plan.html" in [template.name for template in refused.templates]


def test_another_tenant_sees_none_of_this_ones_lines(alpha: TenantFixture, beta: TenantFixture):
    order = make_order(alpha, lines=2)

    assert _count(beta.client(), f"{LIST}?order={order.pk}") == 0
    stolen = with_session_of(alpha.client(), beta.host).get(LIST)
    assert stolen.status_code == 302
    assert stolen["Location"].startswith("/login/")


def test_the_list_costs_the_same_queries_for_5_and_50_lines(alpha: TenantFixture):
    make_order(alpha, lines=5)
    client = alpha.client()
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for _ in range(9):
        make_order(alpha, lines=5)
    with CaptureQueriesContext(connection) as many:
        page = client.get(LIST).content.decode()

    assert page.count('href="/orders/') >= 50
    assert len(many.captured_queries) == len(few.captured_queries)
