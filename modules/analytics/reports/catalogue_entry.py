"""The report builder's entry on the analytics start page."""

from django.utils.translation import gettext_lazy as _

from modules.analytics.catalogue import Analysis

REPORT_BUILDER = Analysis(
    key="reports",
    title=_("Reports"),
    description=_("Build, save and share reports on any record type: filters, groupings, measures and charts."),
    url_name="analytics:report-list",
    order=10,
)
