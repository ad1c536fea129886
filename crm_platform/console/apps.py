from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "crm_platform.console"
    label = "console"
    verbose_name = "Operator console"
