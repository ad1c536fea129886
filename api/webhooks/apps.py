from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "api.webhooks"
    label = "webhooks"
    verbose_name = "Outgoing webhooks"

    def ready(self) -> None:
        from api.webhooks.services.deliveries import consume
        from customization.events.dispatcher import register_consumer

        register_consumer("webhooks", consume)
