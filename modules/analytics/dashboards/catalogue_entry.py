"""The dashboards' entry on the analytics start page."""

from django.utils.translation import gettext_lazy as _

from modules.analytics.catalogue import Analysis

DASHBOARDS = Analysis(
    key="dashboards",
    title=_("Dashboards"),
    description=_("Arrange reports and ready-made figures on a grid, filtered together by period and owner."),
    url_name="analytics:dashboard-list",
    order=5,
)
