"""Cohort retention, checked against hand-built orders; the page's permission, visibility,
tenant isolation and bad input."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from modules.analytics.customer_value.cohorts import cohorts, month_index, month_of
from modules.sales.choices import OrderStatus
from modules.sales.services.orders import set_order_status
from tests.analytics.customer_value.conftest import buy
from tests.factories import CompanyFactory
from tests.tenancy import REP_EMAIL, TenantFixture, grant, with_session_of


def hand_built(alpha: TenantFixture, owner_email: str | None = None) -> int:
    """Three customers over the last four months (m0 is three months ago); returns m0's index.
    A: m0, m0+1, m0+3. B: m0, m0+2 (and a cancelled order in m0+1). C: m0+1, m0+2."""
    m0 = month_index(timezone.localdate()) - 3
    with alpha.active():
        by = alpha.user(owner_email) if owner_email else alpha.user()
        a, b, c = (CompanyFactory(name=name, owner=by) for name in ("A", "B", "C"))
        for company, ages in ((a, (0, 1, 3)), (b, (0, 2)), (c, (1, 2))):
            for age in ages:
                buy(by, company=company, days_ago=0, on=month_of(m0 + age))
        set_order_status(buy(by, company=b, days_ago=0, on=month_of(m0 + 1)), OrderStatus.CANCELLED, by=by)
    return m0


def test_the_grid_counts_each_cohort_and_its_customers_ordering_in_later_months(alpha: TenantFixture):
    m0 = hand_built(alpha)
    with alpha.active():
        grid = cohorts(None, today=timezone.localdate(), months=12)

    assert [(c.month, c.size, c.active) for c in grid] == [
        (month_of(m0), 2, [2, 1, 1, 1]),
        (month_of(m0 + 1), 1, [1, 1, 0]),
    ]
    assert grid[0].shares == [1.0, 0.5, 0.5, 0.5]


def test_a_window_shorter_than_the_cohort_leaves_it_out(alpha: TenantFixture):
    m0 = hand_built(alpha)
    with alpha.active():
        grid = cohorts(None, today=timezone.localdate(), months=3)

    assert [c.month for c in grid] == [month_of(m0 + 1)]


def test_the_page_shows_the_grid_to_whom_may_see_it(alpha: TenantFixture, beta: TenantFixture):
    grant(alpha, "sales_rep", "analytics.view")
    hand_built(alpha)

    as_admin = alpha.client().get("/analytics/cohorts/")
    as_rep = alpha.client(REP_EMAIL).get("/analytics/cohorts/")
    as_beta = beta.client().get("/analytics/cohorts/")
    stolen = with_session_of(alpha.client(), beta.host).get("/analytics/cohorts/")

    assert as_admin.status_code == 200
    assert [c.size for c in as_admin.context["cohorts"]] == [2, 1]
    assert as_rep.context["cohorts"] == []  # the rep owns none of these customers
    assert as_beta.context["cohorts"] == []
    assert stolen.status_code == 302


def test_without_analytics_view_403_and_a_bad_window_400(alpha: TenantFixture):
    assert alpha.client(REP_EMAIL).get("/analytics/cohorts/").status_code == 403
    response = alpha.client().get("/analytics/cohorts/?months=5")
    assert response.status_code == 400
    assert response.content.decode().startswith("months:")


def test_the_page_costs_the_same_queries_for_few_and_many_customers(alpha: TenantFixture):
    client = alpha.client()
    hand_built(alpha)
    with CaptureQueriesContext(connection) as few:
        client.get("/analytics/cohorts/")
    with alpha.active():
        for n in range(30):
            buy(alpha.user(), company=CompanyFactory(name=f"Later {n}"), days_ago=n)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/analytics/cohorts/")

    assert sum(cohort.size for cohort in response.context["cohorts"]) == 33
    assert len(many) == len(few)
