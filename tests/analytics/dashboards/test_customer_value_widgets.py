"""Analytics' customer-value widgets: RFM segments, customers at risk, top predicted value, each
over the customers the reader may see, with the newest fit's time, linking to the analysis page
that lists exactly those customers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from modules.analytics.customer_value.cohorts import month_index, month_of
from modules.analytics.customer_value.models import CustomerValue, CustomerValueRun
from modules.analytics.dashboards.widgets import DashboardFilters, WidgetData, widget_named
from tests.analytics.customer_value.conftest import buy
from tests.analytics.customer_value.test_value_pages import rfm_at_risk, stored
from tests.factories import CompanyFactory
from tests.tenancy import REP_EMAIL, TenantFixture, grant

NONE = DashboardFilters()


def compute(alpha: TenantFixture, key: str, email: str | None = None) -> WidgetData:
    kind = widget_named(key)
    assert kind is not None
    with alpha.active():
        return kind.compute(alpha.user(email) if email else alpha.user(), NONE)


def test_customers_by_rfm_segment_count_each_segments_customers(alpha: TenantFixture):
    rfm_at_risk(alpha)
    grant(alpha, "sales_rep", "analytics.view")

    as_admin = compute(alpha, "customers-by-rfm-segment")
    as_rep = compute(alpha, "customers-by-rfm-segment", REP_EMAIL)

    # Customer i: i+1 orders, the last 10+20i days ago, so each holds its own recency and frequency fifth.
    points = {point.label: point.value for point in as_admin.series[0].points}
    assert points == {
        "New customers": 1, "Potential loyalists": 1, "Need attention": 1, "At risk": 1, "Can't lose them": 1,
    }  # fmt: skip
    assert as_rep.series[0].points == ()
    at_risk = next(point for point in as_admin.series[0].points if point.label == "At risk")
    assert at_risk.url == "/analytics/rfm/?period=12&segment=at_risk"
    response = alpha.client().get(at_risk.url)
    assert response.context["chosen"].customers == 1
    assert [score.name for score in response.context["customers"]] == ["Risk 3"]


def test_customers_at_risk_come_from_rfm_and_a_low_probability_alive(alpha: TenantFixture):
    rfm_at_risk(alpha)
    stored(alpha, 1, prefix="Fading", alive=0.2)
    stored(alpha, 1, prefix="Healthy", alive=0.9)

    count = compute(alpha, "customers-at-risk")
    table = compute(alpha, "customers-at-risk-table")

    assert (count.value, table.value) == (3, 3)
    assert [row[:4] for row in table.rows] == [
        ("Fading 0", 20, "", Decimal("300.00")),
        ("Risk 4", None, "Can't lose them", Decimal("50.00")),
        ("Risk 3", None, "At risk", Decimal("40.00")),
    ]
    assert table.rows[0][-1].startswith("/companies/")
    assert len(alpha.client().get(count.url).context["rows"]) == 3
    assert count.as_of is None  # no fit yet


def test_top_predicted_value_reads_the_newest_fit(alpha: TenantFixture):
    values = stored(alpha, 3, prefix="Top")
    with alpha.active():
        for value, predicted in zip(values, ("90.00", "400.00", "250.00"), strict=True):
            CustomerValue.objects.filter(pk=value.pk).update(predicted_value=Decimal(predicted))
        computed_at = timezone.now() - timedelta(hours=3)
        CustomerValueRun.objects.create(computed_at=computed_at, as_of=timezone.localdate(), status="fitted")

    top = compute(alpha, "customers-top-predicted-value")
    as_rep = compute(alpha, "customers-top-predicted-value", REP_EMAIL)

    assert [(row[0], row[1]) for row in top.rows] == [
        ("Top 1", Decimal("400.00")), ("Top 2", Decimal("250.00")), ("Top 0", Decimal("90.00")),
    ]  # fmt: skip
    assert top.as_of == computed_at
    assert top.url == "/analytics/customer-value/"
    assert as_rep.rows == ()
    response = alpha.client().get(top.url)
    assert [value.company.name for value in response.context["values"]] == ["Top 1", "Top 2", "Top 0"]


def test_cohort_retention_pools_the_cohorts_old_enough_for_each_month(alpha: TenantFixture):
    """A and B first ordered three months ago, A again two months ago; C first ordered last month and
    again this month. Month 1: A and C of three customers; months 2 and 3: only the older cohort
    (two customers) is that old, and neither ordered; month 4: no cohort is that old yet."""
    with alpha.active():
        by, now = alpha.user(), month_index(timezone.localdate())
        a, b, c = (CompanyFactory(name=name, owner=by) for name in "ABC")
        for company, months_ago in ((a, 3), (a, 2), (b, 3), (c, 1), (c, 0)):
            buy(by, company=company, days_ago=0, on=month_of(now - months_ago))

    retention = compute(alpha, "customers-cohort-retention")

    assert [(point.label, point.value) for point in retention.series[0].points] == [
        ("Month 1", Decimal("66.7")), ("Month 2", Decimal("0.0")), ("Month 3", Decimal("0.0")),
    ]  # fmt: skip
    assert retention.series[0].unit == "%"
    assert alpha.client().get(retention.url).status_code == 200
