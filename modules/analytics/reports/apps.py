from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "modules.analytics.reports"
    label = "analytics_reports"
    verbose_name = "Analytics reports"

    def ready(self) -> None:
        from modules.analytics import catalogue
        from modules.analytics.reports.catalogue_entry import REPORT_BUILDER

        catalogue.register(REPORT_BUILDER)
