from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "modules.analytics.dashboards"
    label = "analytics_dashboards"
    verbose_name = "Analytics dashboards"

    def ready(self) -> None:
        from customization.events.dispatcher import register_consumer
        from modules.analytics import catalogue
        from modules.analytics.dashboards import closed_deals_rollup, rollups
        from modules.analytics.dashboards.catalogue_entry import DASHBOARDS
        from modules.analytics.refresh.services import AnalysisRefresh, register_analysis

        catalogue.register(DASHBOARDS)
        # The closed deals' rollup: kept current from the outbox, rebuilt when its basis changed.
        register_consumer("analytics-deal-rollup", closed_deals_rollup.consume)
        # The open deals', done activities' and cases' rollups the modules register.
        register_consumer("analytics-rollups", rollups.consume)
        register_analysis(
            AnalysisRefresh(
                key=closed_deals_rollup.KEY, run=closed_deals_rollup.rebuild, delay=closed_deals_rollup.REBUILD_DELAY
            )
        )
