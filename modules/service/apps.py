from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "modules.service"
    label = "service"
    verbose_name = "Service"

    def ready(self) -> None:
        # Workflows read and set cases through their registry, never importing this module.
        from modules.service import workflows

        workflows.register()
