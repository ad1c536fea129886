from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "modules.service.knowledge"
    label = "service_knowledge"
    verbose_name = "Service: knowledge base"

    def ready(self) -> None:
        # The case page shows suggested articles through the service module's panel registry.
        from modules.service.knowledge import panels

        panels.register()
