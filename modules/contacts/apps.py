from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "modules.contacts"
    label = "contacts"
    verbose_name = "Customers"

    def ready(self) -> None:
        from django.urls import reverse

        from modules.contacts.inline import InlineEntity, register_inline
        from modules.contacts.models import Company, Contact
        from modules.contacts.selectors.lists import visible_companies, visible_contacts
        from modules.contacts.services.companies import update_company
        from modules.contacts.services.contacts import update_contact
        from modules.contacts.views.common import assignable_owners

        shared = ("owner", "source", "lifecycle_stage", "email", "phone", "city", "country", "description")
        register_inline(
            "company",
            InlineEntity(
                module="contacts", model=Company, visible=visible_companies, update=update_company,
                fields=("name", "website", "industry", "employee_count", *shared), owners=assignable_owners,
                linked=("name",), record_link=lambda company: reverse("contacts:company-detail", args=[company.pk]),
            ),
        )  # fmt: skip
        register_inline(
            "contact",
            InlineEntity(
                module="contacts", model=Contact, visible=visible_contacts, update=update_contact,
                fields=("first_name", "last_name", "job_title", "department", *shared), owners=assignable_owners,
            ),
        )  # fmt: skip

        from modules.contacts import home

        home.register()

        # Custom-field values link to records of every module; whether a user may open a module's
        # records at all is the modules' link rule, which customization reaches through this hook.
        from customization.fields.entities import register_model_access
        from modules.record_access import RecordAccess

        register_model_access(lambda user, tenant, model: RecordAccess(user, tenant).may_use(model))

        # Workflows read and set these records through their registry, never importing this module.
        from modules.contacts import workflows

        workflows.register()

        # The report builder offers these records through its registry, never importing this module.
        from modules.contacts import report_sources

        report_sources.register()

        # A restore of a backup made before an erasure erases the contact again.
        from modules.contacts.services.data_subject import erase_contact_again
        from tenants.services.erasures import register_erasure

        register_erasure("contact", erase_contact_again)
