from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "modules.privacy"
    label = "privacy"
    verbose_name = "Privacy"
