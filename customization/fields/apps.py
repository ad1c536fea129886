from django.apps import AppConfig


class CustomFieldsConfig(AppConfig):
    name = "customization.fields"
    label = "custom_fields"
    verbose_name = "Custom fields"
