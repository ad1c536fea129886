from django.apps import AppConfig


class RefreshConfig(AppConfig):
    """Analyses due to run again, per tenant (public schema)."""

    name = "modules.analytics.refresh"
    label = "analytics_refresh"
    verbose_name = "Analysis refreshes"
