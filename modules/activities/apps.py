from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "modules.activities"
    label = "activities"
