from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "modules.marketing.surveys"
    label = "marketing_surveys"
    verbose_name = "Marketing: surveys"

    def ready(self) -> None:
        # Workflows, reports and dashboards read what surveys bring through their registries;
        # none of them imports this app.
        from modules.marketing.surveys import registrations

        registrations.register()
