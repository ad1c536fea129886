from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "modules.analytics.reports"
    label = "analytics_reports"
    verbose_name = "Analytics reports"

    def ready(self) -> None:
        from django.urls import reverse

        from modules.activities.models.notification import register_notification_target
        from modules.analytics import catalogue
        from modules.analytics.reports.catalogue_entry import REPORT_BUILDER
        from modules.analytics.reports.cells import CELL_PARAM, narrow_list_to_cell
        from modules.lists.definition import Narrowing, register_narrowing

        catalogue.register(REPORT_BUILDER)
        # Every list takes ``?cell=``: the records of one report group, wherever a group links.
        register_narrowing(Narrowing(CELL_PARAM, narrow_list_to_cell))
        # A failed delivery's notice opens the report at its deliveries, where the error shows.
        register_notification_target("report", lambda pk: reverse("analytics:report-detail", args=[pk]) + "#deliveries")
