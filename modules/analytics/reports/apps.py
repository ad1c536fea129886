from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "modules.analytics.reports"
    label = "analytics_reports"
    verbose_name = "Analytics reports"
