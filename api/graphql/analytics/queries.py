"""The analytics module's root fields, one class per analysis merged here."""

from __future__ import annotations

from api.graphql.analytics.basket import AnalyticsBasketQueries
from api.graphql.analytics.customer_value import AnalyticsCustomerValueQueries
from api.graphql.analytics.dashboards import AnalyticsDashboardQueries
from api.graphql.analytics.funnel import AnalyticsFunnelQueries
from api.graphql.analytics.reports import AnalyticsReportQueries
from api.graphql.analytics.sales_breakdown import AnalyticsSalesBreakdownQueries
from api.graphql.analytics.workflow_selections import AnalyticsWorkflowSelectionQueries


class AnalyticsQueries(
    AnalyticsBasketQueries,
    AnalyticsFunnelQueries,
    AnalyticsCustomerValueQueries,
    AnalyticsReportQueries,
    AnalyticsSalesBreakdownQueries,
    AnalyticsDashboardQueries,
    AnalyticsWorkflowSelectionQueries,
):
    pass
