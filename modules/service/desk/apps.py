from django.apps import AppConfig


class ServiceDeskConfig(AppConfig):
    name = "modules.service.desk"
    label = "service_desk"
    verbose_name = "Service desk"

    def ready(self) -> None:
        # The case core calls what is registered here; it never imports this app.
        from modules.service.desk import panels
        from modules.service.desk.services import assignment

        assignment.register()
        panels.register()
