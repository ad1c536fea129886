from django.apps import AppConfig


class AttributionConfig(AppConfig):
    name = "modules.marketing.attribution"
    label = "marketing_attribution"
    verbose_name = "Marketing attribution"

    def ready(self) -> None:
        # Reports and dashboards read attribution through their registries, never importing it.
        from modules.marketing.attribution import dashboard_widgets, report_sources

        report_sources.register()
        dashboard_widgets.register()
