from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "modules.sales"
    label = "sales"

    def ready(self) -> None:
        from modules.sales import data_subject

        data_subject.register()
        from django.urls import reverse

        from modules.contacts.inline import InlineEntity, register_inline
        from modules.contacts.views.common import assignable_owners
        from modules.sales.models import Deal, Lead
        from modules.sales.selectors.deals import visible_deals, visible_leads
        from modules.sales.services.deals import update_deal
        from modules.sales.services.leads import update_lead

        register_inline(
            "lead",
            InlineEntity(
                module="sales", model=Lead, visible=visible_leads, update=update_lead,
                fields=(
                    "first_name", "last_name", "company_name", "job_title", "email", "phone", "website", "source",
                    "status", "estimated_value", "owner", "description",
                ),
                owners=assignable_owners, units={"estimated_value": "currency"},
            ),
        )  # fmt: skip
        register_inline(
            "deal",
            InlineEntity(
                module="sales", model=Deal, visible=visible_deals, update=update_deal,
                fields=("name", "amount", "currency", "probability", "expected_close_date", "owner", "description"),
                owners=assignable_owners, units={"amount": "currency"},
                linked=("name",), record_link=lambda deal: reverse("sales:deal-detail", args=[deal.pk]),
            ),
        )  # fmt: skip

        from modules.sales import home

        home.register()

        # Workflows read and set these records through their registry, never importing this module.
        from modules.sales import workflows

        workflows.register()

        # The report builder offers these records through its registry, never importing this module.
        from modules.sales import report_sources

        report_sources.register()

        # Dashboards offer these widget kinds and the "Sales" dashboard through their registries.
        from modules.sales import dashboard_widgets

        dashboard_widgets.register()
