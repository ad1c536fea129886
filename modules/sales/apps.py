from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "modules.sales"
    label = "sales"
