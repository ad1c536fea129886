"""The analytics module's part of the demo tenant: its analyses computed over the demo's orders and
a few saved reports shared with everyone, and a sales dashboard of the admin's (the ready-made one
when the sales widgets are registered, with the saved reports below), so that a first look at
Analytics shows figures.

The refreshes are the ones the Celery tasks run; here they run at once, because the demo's orders
are written in bulk, without the order events that would queue them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from identity.models import User
from modules.analytics.basket.mining import refresh_basket_rules
from modules.analytics.customer_value.services import refresh_customer_values
from modules.analytics.dashboards.periods import Period
from modules.analytics.dashboards.ready_made import ready_made_named
from modules.analytics.dashboards.services import add_widget, create_dashboard
from modules.analytics.reports.choices import ChartType, Sharing
from modules.analytics.reports.services import create_report


def load_demo() -> None:
    refresh_basket_rules()
    refresh_customer_values()
    admin = User.objects.filter(role__key="admin", is_active=True).order_by("pk").first()
    if admin is None:
        return
    reports = [
        (
            _("Won deals by owner and quarter"),
            "deals",
            {
                "filters": [{"field": "status", "op": "eq", "value": "won"}],
                "group_by": [{"field": "owner"}, {"field": "closed_at", "bucket": "quarter"}],
                "measures": [{"fn": "count"}, {"fn": "sum", "field": "amount"}],
            },
            ChartType.BAR,
        ),
        (
            _("Order revenue by month"),
            "orders",
            {
                "filters": [{"field": "status", "op": "ne", "value": "cancelled"}],
                "group_by": [{"field": "ordered_on", "bucket": "month"}],
                "measures": [{"fn": "count"}, {"fn": "sum", "field": "total"}],
            },
            ChartType.LINE,
        ),
        (
            _("Activities by kind and owner"),
            "activities",
            {"group_by": [{"field": "kind"}, {"field": "assignee"}], "measures": [{"fn": "count"}]},
            ChartType.BAR,
        ),
    ]
    saved = [
        create_report(by=admin, name=name, source=source, definition=definition, chart=chart, sharing=Sharing.EVERYONE)
        for name, source, definition, chart in reports
    ]
    ready_made = "sales" if ready_made_named("sales") is not None else None
    dashboard = create_dashboard(
        by=admin, name=_("Sales"), ready_made=ready_made, period=Period.THIS_YEAR, sharing=Sharing.EVERYONE
    )
    for report in saved:
        add_widget(dashboard, by=admin, report=report, width=12 if report.chart == ChartType.LINE else 6, height=4)
