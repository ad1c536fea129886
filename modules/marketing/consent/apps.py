from django.apps import AppConfig


class MarketingConsentConfig(AppConfig):
    name = "modules.marketing.consent"
    label = "marketing_consent"
    verbose_name = "Marketing consent"
