from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "modules.activities"
    label = "activities"

    def ready(self) -> None:
        from modules.activities import data_subject

        data_subject.register()
        from modules.activities import retention

        retention.register()
        from modules.activities import home

        home.register()

        # Workflows read and set these records through their registry, never importing this module.
        from modules.activities import workflows

        workflows.register()

        # Every record list offers "create an activity for each" through the list framework,
        # which never imports this module.
        from modules.activities.bulk import CREATE_ACTIVITY
        from modules.lists.definition import register_bulk_action

        register_bulk_action(CREATE_ACTIVITY)

        # The report builder offers these records through its registry, never importing this module.
        from modules.activities import report_sources

        report_sources.register()

        # Dashboards offer these widget kinds through their registry.
        from modules.activities import dashboard_widgets

        dashboard_widgets.register()
