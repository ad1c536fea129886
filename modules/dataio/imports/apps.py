from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "modules.dataio.imports"
    label = "imports"
    verbose_name = "Record imports"
