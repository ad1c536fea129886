from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "modules.activities"
    label = "activities"

    def ready(self) -> None:
        from modules.activities import home

        home.register()

        # Every record list offers "create an activity for each" through the list framework,
        # which never imports this module.
        from modules.activities.bulk import CREATE_ACTIVITY
        from modules.lists.definition import register_bulk_action

        register_bulk_action(CREATE_ACTIVITY)
