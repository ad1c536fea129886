"""What the customer record puts on the home page: companies and contacts among the recent records,
and the sample-data card (load sample records into a new workspace, remove them again)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from identity.models import User
from modules.contacts.models import Company, Contact, SampleRecord
from modules.contacts.selectors.lists import visible_companies, visible_contacts
from modules.home.registry import HomeCard, RecentKind, register_card, register_recent_kind
from modules.home.scope import Scope

# How the card names what is loaded, by model label.
SAMPLE_LABELS = {
    "contacts.Company": _("companies"),
    "contacts.Contact": _("contacts"),
    "sales.Lead": _("leads"),
    "sales.Deal": _("deals"),
    "activities.Activity": _("activities"),
    "sales.Product": _("products"),
}


def sample_data(request: HttpRequest, user: User, scope: Scope) -> dict[str, Any] | None:
    """Offered while the workspace has no companies or contacts; once loaded, how much and the way out."""
    counts = dict(SampleRecord.objects.values_list("model").annotate(n=Count("id")).order_by())
    if counts:
        loaded = [(label, counts[model]) for model, label in SAMPLE_LABELS.items() if counts.get(model)]
        return {"loaded": loaded}
    if Company.objects.exists() or Contact.objects.exists():
        return None
    return {"loaded": None}


def register() -> None:
    register_card(
        HomeCard(
            key="sample-data",
            title=_("Sample data"),
            template="contacts/home/sample_data.html",
            context=sample_data,
            module="contacts",
            permission="settings.manage_tenant",
            order=5,
            wide=True,
        )
    )
    register_recent_kind(
        RecentKind(
            key="company",
            model="contacts.Company",
            label=_("Company"),
            url_name="contacts:company-detail",
            icon="building",
            visible=visible_companies,
            module="contacts",
        )
    )
    register_recent_kind(
        RecentKind(
            key="contact",
            model="contacts.Contact",
            label=_("Contact"),
            url_name="contacts:contact-detail",
            icon="person-lines-fill",
            visible=visible_contacts,
            module="contacts",
        )
    )
