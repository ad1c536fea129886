from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "crm_platform"
    label = "crm_platform"
    verbose_name = "Relata platform"

    def ready(self) -> None:
        from crm_platform.sentry import init_sentry

        init_sentry()
