"""The analytics module's root fields, one class per analysis merged here."""

from __future__ import annotations

from api.graphql.analytics.basket import AnalyticsBasketQueries


class AnalyticsQueries(AnalyticsBasketQueries):
    pass
