from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "customization.events"
    label = "events"
    verbose_name = "Domain events"
