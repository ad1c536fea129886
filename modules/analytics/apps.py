from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "modules.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from modules.analytics import catalogue

        catalogue.register_builtin()
