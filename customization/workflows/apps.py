from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "customization.workflows"
    label = "workflows"
    verbose_name = "Workflows"

    def ready(self) -> None:
        from customization.events.dispatcher import register_consumer
        from customization.workflows.consumer import CONSUMER_NAME, consume

        register_consumer(CONSUMER_NAME, consume)
