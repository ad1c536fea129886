from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "modules.activities"
    label = "activities"

    def ready(self) -> None:
        from modules.activities import home

        home.register()
