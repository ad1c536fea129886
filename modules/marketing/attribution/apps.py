from django.apps import AppConfig


class AttributionConfig(AppConfig):
    name = "modules.marketing.attribution"
    label = "marketing_attribution"
    verbose_name = "Marketing attribution"
