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
            order=20,
        )
    )
