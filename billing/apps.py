from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        # Celery discovers ``billing.tasks``; the Stripe webhook tasks live beside their handlers.
        from billing.webhooks import tasks  # noqa: F401
