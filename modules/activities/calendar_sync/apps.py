from django.apps import AppConfig


class CalendarSyncConfig(AppConfig):
    name = "modules.activities.calendar_sync"
    label = "calendar_sync"
    verbose_name = "Activities: calendar sync"

    def ready(self) -> None:
        from modules.activities.calendar_sync import oauth

        oauth.register()
