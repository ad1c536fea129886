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

        from modules.analytics.customer_value.cohort_lists import COHORT_PARAM, narrow_list_to_cohort
        from modules.lists.definition import Narrowing, register_narrowing

        # Every count of the cohort grid opens the company or contact list of its customers.
        register_narrowing(Narrowing(COHORT_PARAM, narrow_list_to_cohort))
