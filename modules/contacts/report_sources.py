"""Companies and contacts as report sources (``modules.analytics.reports.registry``), registered
from ``ContactsConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from modules.analytics.reports.registry import ListLink, ReportSource, register_source
from modules.contacts.selectors.lists import visible_companies, visible_contacts

ADDRESS = ("city", "region", "country")
SHARED = ("owner", "source", "lifecycle_stage", *ADDRESS, "created_at", "updated_at")
LIST_PARAMS = {"owner": "owner", "lifecycle_stage": "lifecycle_stage"}


def register() -> None:
    register_source(
        ReportSource(
            key="companies", label=_("Companies"), model="contacts.Company", module="contacts",
            visible=visible_companies, entity="company",
            fields=("name", "industry", "employee_count", *SHARED),
            list_link=ListLink("contacts:company-list", params=LIST_PARAMS), order=10,
        )
    )  # fmt: skip
    register_source(
        ReportSource(
            key="contacts", label=_("Contacts"), model="contacts.Contact", module="contacts",
            visible=visible_contacts, entity="contact",
            fields=(
                "full_name", "job_title", "department", "company", *SHARED,
                "company.industry", "company.country", "company.lifecycle_stage", "company.owner",
            ),
            list_link=ListLink("contacts:contact-list", params={**LIST_PARAMS, "company": "company"}), order=20,
        )
    )  # fmt: skip
