"""The analyses the analytics module offers, and which of them a user may open.

Each analysis names the modules whose data it reads (``needs``): a tenant whose plan lacks one of
them does not see it (the customer-value analyses need orders, which come with sales). Analyses
are registered once, at start-up, by ``AnalyticsConfig.ready``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from modules.registry import enabled_module_keys


@dataclass(frozen=True)
class Analysis:
    key: str
    title: str | Promise
    description: str | Promise
    url_name: str
    # Modules besides analytics whose records the analysis reads.
    needs: tuple[str, ...] = ()
    # A permission besides ``analytics.view``.
    permission: str | None = None
    order: int = 100


_ANALYSES: dict[str, Analysis] = {}


def register(analysis: Analysis) -> None:
    if analysis.key in _ANALYSES and _ANALYSES[analysis.key] != analysis:
        raise ValueError(f"Two analyses are called {analysis.key!r}")
    _ANALYSES[analysis.key] = analysis


def registered() -> list[Analysis]:
    return sorted(_ANALYSES.values(), key=lambda analysis: (analysis.order, analysis.key))


def available(tenant: object, user: object) -> list[Analysis]:
    """The analyses ``user`` may open on ``tenant``: their modules enabled, their permission held."""
    enabled = enabled_module_keys(tenant)
    has_perm = getattr(user, "has_perm", lambda _code: False)
    if "analytics" not in enabled or not has_perm("analytics.view"):
        return []
    return [
        analysis
        for analysis in registered()
        if set(analysis.needs) <= enabled and (analysis.permission is None or has_perm(analysis.permission))
    ]


def register_builtin() -> None:
    """The module's own analyses, and the sales reports that predate the module, listed with the
    analyses that read the same data."""
    from modules.analytics.customer_value.catalogue import register_analyses as register_customer_value

    register_customer_value()
    register(
        Analysis(
            key="funnel",
            title=_("Sales funnel"),
            description=_("Deals entering each stage, conversion, time in stage, win rate and cycle length."),
            url_name="analytics:funnel",
            needs=("sales",),
            permission="sales.view",
            order=30,
        )
    )
    register(
        Analysis(
            key="sales-breakdown",
            title=_("Sales by product, segment and region"),
            description=_(
                "Won revenue, deals, win rate and average deal size by product, industry, company size, "
                "a company field, country and region."
            ),
            url_name="analytics:sales-breakdown",
            needs=("sales",),
            permission="sales.view",
            order=35,
        )
    )
    register(
        Analysis(
            key="basket",
            title=_("Bought together"),
            description=_("Products bought in the same orders: association rules with support, confidence and lift."),
            url_name="analytics:basket",
            needs=("sales",),
            permission="sales.view",
            order=40,
        )
    )
    register(
        Analysis(
            key="warehouse",
            title=_("Warehouse export"),
            description=_(
                "Every main record type as Parquet files, custom fields included, for DuckDB, BigQuery or Snowflake."
            ),
            url_name="analytics:warehouse",
            permission="settings.manage_tenant",
            order=200,
        )
    )
    register(
        Analysis(
            key="forecast",
            title=_("Forecast"),
            description=_("Expected revenue by close month against quotas, by owner and team."),
            url_name="sales:forecast",
            needs=("sales",),
            permission="sales.view_reports",
            order=80,
        )
    )
    register(
        Analysis(
            key="rep-activity",
            title=_("Team activity"),
            description=_("Activities completed, deals moved, won and lost, per rep and period."),
            url_name="analytics:team-activity",
            needs=("sales",),
            permission="sales.view_reports",
            order=90,
        )
    )
