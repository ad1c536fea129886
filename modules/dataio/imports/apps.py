from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "modules.dataio.imports"
    label = "imports"
    verbose_name = "Record imports"

    def ready(self) -> None:
        from modules.dataio.imports import home

        home.register()
