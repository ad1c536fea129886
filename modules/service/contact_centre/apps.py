from django.apps import AppConfig


class ContactCentreConfig(AppConfig):
    name = "modules.service.contact_centre"
    label = "service_contact_centre"
    verbose_name = "Service: contact centre"

    def ready(self) -> None:
        from modules.service.contact_centre import data_subject

        data_subject.register()
        # The case core, the case page, dashboards and notifications read what is registered here;
        # none of them imports this app.
        from modules.service.contact_centre import registrations

        registrations.register()
