from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "modules.dataio.exports"
    label = "exports"
    verbose_name = "Record exports"
