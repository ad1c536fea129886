"""The demo tenant's analytics: computed over the demo's orders and with saved reports to open."""

from __future__ import annotations

from modules.analytics.basket.models import BasketRule
from modules.analytics.customer_value.models import CustomerValue, CustomerValueRun, ValueRunStatus
from modules.analytics.dashboards.models import Dashboard
from modules.analytics.reports.choices import Sharing
from modules.analytics.reports.models import Report
from modules.contacts.demo.seed import load_demo_data
from modules.sales.models import Order
from tests.tenancy import TenantFixture


def test_the_demo_comes_with_its_analyses_computed_and_reports_that_run(alpha: TenantFixture) -> None:
    with alpha.active():
        load_demo_data()
        run = CustomerValueRun.objects.get()
        buyers = Order.objects.exclude(status="cancelled").values("company").distinct().count()
        assert run.status == ValueRunStatus.FITTED, run.message
        assert CustomerValue.objects.count() >= buyers > 0
        # The demo's baskets follow catalogue bundles: there are rules to show.
        assert BasketRule.objects.filter(lift__gt=1).exists()
        reports = list(Report.objects.order_by("pk"))
        assert len(reports) == 3
        assert {report.sharing for report in reports} == {Sharing.EVERYONE}
        assert {report.source for report in reports} == {"deals", "orders", "activities"}

    client = alpha.client()
    for report in reports:
        response = client.get(f"/analytics/reports/{report.pk}/")
        assert response.status_code == 200, report.name
        assert response.context["result"].rows, report.name
    assert client.get("/analytics/basket/").status_code == 200
    with alpha.active():
        dashboard = Dashboard.objects.get()
        widgets = list(dashboard.widgets.all())
    assert dashboard.owner.role.key == "admin"
    assert {widget.report_id for widget in widgets} >= {report.pk for report in reports}
    assert client.get(f"/analytics/dashboards/{dashboard.pk}/").status_code == 200
    for widget in widgets:
        data = client.get(f"/analytics/dashboards/{dashboard.pk}/widgets/{widget.pk}/data/", {"period": "all"})
        assert data.status_code == 200, widget
        if widget.report_id is not None:
            assert not data.json()["empty"], widget
