from django.apps import AppConfig


class CustomerValueConfig(AppConfig):
    """Customer value and loyalty analyses (an app of its own for the stored predictions)."""

    name = "modules.analytics.customer_value"
    label = "customer_value"
    verbose_name = "Customer value"

    def ready(self) -> None:
        from customization.events.dispatcher import register_consumer
        from modules.analytics.customer_value.consumers import consume
        from modules.analytics.customer_value.tasks import ANALYSIS
        from modules.analytics.refresh.services import register_analysis

        register_analysis(ANALYSIS)
        register_consumer("customer_value", consume)
