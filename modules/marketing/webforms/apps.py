from django.apps import AppConfig


class MarketingFormsConfig(AppConfig):
    name = "modules.marketing.webforms"
    label = "marketing_forms"
    verbose_name = "Marketing: web forms"

    def ready(self) -> None:
        # The workflow builder and the timeline read what is registered here; neither imports this app.
        from modules.marketing.webforms import dashboard_widgets, registrations

        dashboard_widgets.register()

        registrations.register()
