from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "modules.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from customization.events.dispatcher import register_consumer
        from modules.analytics import catalogue
        from modules.analytics.basket import consumers as basket_consumers
        from modules.analytics.basket import tasks as basket_tasks
        from modules.analytics.refresh.services import register_analysis

        catalogue.register_builtin()
        register_analysis(basket_tasks.ANALYSIS)

        # Dashboards: analytics' own widget kinds and the "Management" dashboard.
        from modules.analytics.dashboards import builtin_customer_value, builtin_ready_made

        builtin_customer_value.register()
        builtin_ready_made.register()
        register_consumer("analytics-basket", basket_consumers.consume)
