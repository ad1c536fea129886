from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "modules.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from customization.events.dispatcher import register_consumer
        from customization.workflows.registry import WorkflowTrigger, register_trigger
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
        # Rules with this trigger are started from an analysis's records (``acting``), not by events.
        register_trigger(WorkflowTrigger("selection", _("Started on a selection of records")))
        register_consumer("analytics-basket", basket_consumers.consume)
