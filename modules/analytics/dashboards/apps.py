from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "modules.analytics.dashboards"
    label = "analytics_dashboards"
    verbose_name = "Analytics dashboards"

    def ready(self) -> None:
        from modules.analytics import catalogue
        from modules.analytics.dashboards.catalogue_entry import DASHBOARDS

        catalogue.register(DASHBOARDS)
