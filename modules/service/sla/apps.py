from django.apps import AppConfig


class ServiceSlaConfig(AppConfig):
    name = "modules.service.sla"
    label = "service_sla"
    verbose_name = "Service: SLAs"

    def ready(self) -> None:
        # The clock follows every case write and shows on the case page; the case core imports
        # neither (``modules.service.hooks``, ``modules.service.panels``).
        from modules.service.hooks import register_case_hook
        from modules.service.panels import CasePanel, register_case_panel
        from modules.service.sla import dashboard_widgets
        from modules.service.sla.panel import clock_panel_context
        from modules.service.sla.services.clock import case_hook
        from modules.service.sla.workflows import register_sla_triggers

        register_case_hook("sla", case_hook)
        register_sla_triggers()
        register_case_panel(
            CasePanel(
                key="sla", template="service/sla/panel.html", place="sidebar", position=10,
                context=clock_panel_context,
            )
        )  # fmt: skip
        dashboard_widgets.register()
