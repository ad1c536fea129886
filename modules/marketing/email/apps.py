from django.apps import AppConfig


class MarketingEmailConfig(AppConfig):
    name = "modules.marketing.email"
    label = "marketing_email"
    verbose_name = "Marketing: e-mail content and sending"
