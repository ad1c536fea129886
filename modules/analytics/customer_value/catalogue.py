"""The customer-value analyses in the module's catalogue: they read orders, so they need sales."""

from django.utils.translation import gettext_lazy as _

from modules.analytics.catalogue import Analysis, register


def register_analyses() -> None:
    register(
        Analysis(
            key="rfm",
            title=_("RFM segments"),
            description=_("Customers scored by recency, frequency and value of their orders, in segments."),
            url_name="analytics:rfm",
            needs=("sales",),
            permission="sales.view",
            order=20,
        )
    )
    register(
        Analysis(
            key="customer-value",
            title=_("Customer lifetime value"),
            description=_("Historical value, and the value and purchases BG/NBD with Gamma-Gamma predict."),
            url_name="analytics:customer-value",
            needs=("sales",),
            permission="sales.view",
            order=21,
        )
    )
    register(
        Analysis(
            key="churn",
            title=_("Customers at risk"),
            description=_("Customers likely to stop buying, and an activity for each of them."),
            url_name="analytics:churn",
            needs=("sales",),
            permission="sales.view",
            order=23,
        )
    )
    register(
        Analysis(
            key="cohorts",
            title=_("Cohort retention"),
            description=_("Customers by month of first order, and how many of them order again."),
            url_name="analytics:cohorts",
            needs=("sales",),
            permission="sales.view",
            order=22,
        )
    )
