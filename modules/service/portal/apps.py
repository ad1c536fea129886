from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "modules.service.portal"
    label = "service_portal"
    verbose_name = "Service: customer portal"
