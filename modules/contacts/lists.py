"""The company and contact lists, declared for the list framework (``modules.lists``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from identity.models import User
from identity.visibility import restrict_to_visible
from modules.contacts.choices import LifecycleStage, SavedViewEntity
from modules.contacts.models import Company, Contact, Tag
from modules.contacts.selectors.lists import COMPANY_LIST, CONTACT_LIST, filtered
from modules.contacts.services.companies import delete_company, update_company
from modules.contacts.services.contacts import delete_contact, update_contact
from modules.lists.actions import owner_choices
from modules.lists.definition import Column, Filter, ListDefinition


def owner_options(user: User) -> Iterable[tuple[Any, Any]]:
    return [("none", _("Nobody")), *((owner.pk, owner.display_name) for owner in owner_choices(user))]


def tag_options(user: User) -> Iterable[tuple[Any, Any]]:
    return Tag.objects.order_by("name").values_list("pk", "name")[:500]


def _stage_field(user: User) -> forms.Field:
    return forms.ChoiceField(choices=LifecycleStage.choices, label=_("Lifecycle stage"))


SAVED_VIEW_URLS = {"view-save": "contacts:saved-view-save", "view-delete": "contacts:saved-view-delete"}
FILTERS = (
    Filter("q", _("Search"), placeholder=_("Name, e-mail…")),
    Filter("owner", _("Owner"), options=owner_options, any_label=_("Anyone")),
    Filter("lifecycle_stage", _("Lifecycle stage"), options=lambda user: LifecycleStage.choices),
    Filter("tag", _("Tag"), options=tag_options),
)


def _company_rows(user: User) -> QuerySet[Company]:
    return restrict_to_visible(Company.objects.all(), user).select_related("owner")


def _contact_rows(user: User) -> QuerySet[Contact]:
    return restrict_to_visible(Contact.objects.all(), user).select_related("owner", "company")


COMPANIES = ListDefinition(
    key=SavedViewEntity.COMPANY,
    title=_("Companies"),
    namespace="contacts",
    prefix="company",
    module_permission="contacts",
    rows=_company_rows,
    apply_filters=lambda queryset, params, user: filtered(COMPANY_LIST, user, params, base=queryset),
    filters=FILTERS,
    columns=(
        Column(
            "name",
            _("Name"),
            "lists/cells/link.html",
            url=lambda row: reverse("contacts:company-detail", args=[row.pk]),
            sort="name",
            inline="name",  # shown as the link to the company, the pencil beside it
        ),
        Column("city", _("City"), inline="city"),
        Column("country", _("Country"), default=False, inline="country"),
        Column("email", _("E-mail"), default=False, inline="email"),
        Column("phone", _("Phone"), default=False, inline="phone"),
        Column(
            "lifecycle_stage",
            _("Stage"),
            "lists/cells/badge.html",
            value="get_lifecycle_stage_display",
            phone=True,
            inline="lifecycle_stage",
        ),
        Column("owner", _("Owner"), "lists/cells/user.html", inline="owner"),
        Column("tags", _("Tags"), "lists/cells/tags.html", value="tags.all", prefetch="tags"),
        Column("updated_at", _("Updated"), "lists/cells/date.html", sort="updated_at"),
    ),
    sorts={"name": "name", "updated_at": "updated_at"},
    default_sort="name",
    update=update_company,
    delete=delete_company,
    has_tags=True,
    activity_link="company",
    edit_fields=(("lifecycle_stage", _("Lifecycle stage"), _stage_field),),
    toolbar="contacts/includes/list_toolbar.html",
    save_view_args=("company",),
    url_names=SAVED_VIEW_URLS,
)
CONTACTS = ListDefinition(
    key=SavedViewEntity.CONTACT,
    title=_("Contacts"),
    namespace="contacts",
    prefix="contact",
    module_permission="contacts",
    rows=_contact_rows,
    apply_filters=lambda queryset, params, user: filtered(CONTACT_LIST, user, params, base=queryset),
    filters=FILTERS,
    hidden_filters=("company",),
    columns=(
        Column("full_name", _("Name"), "contacts/cells/contact_name.html", sort="full_name"),
        Column("company", _("Company"), "contacts/cells/company.html"),
        Column("email", _("E-mail"), inline="email"),
        Column("phone", _("Phone"), default=False, inline="phone"),
        Column("job_title", _("Job title"), default=False, inline="job_title"),
        Column(
            "lifecycle_stage",
            _("Stage"),
            "lists/cells/badge.html",
            value="get_lifecycle_stage_display",
            phone=True,
            inline="lifecycle_stage",
        ),
        Column("owner", _("Owner"), "lists/cells/user.html", inline="owner"),
        Column("tags", _("Tags"), "lists/cells/tags.html", value="tags.all", prefetch="tags"),
        Column("updated_at", _("Updated"), "lists/cells/date.html", sort="updated_at"),
    ),
    sorts={"full_name": "full_name", "updated_at": "updated_at"},
    default_sort="full_name",
    update=update_contact,
    delete=delete_contact,
    has_tags=True,
    activity_link="contact",
    edit_fields=(("lifecycle_stage", _("Lifecycle stage"), _stage_field),),
    toolbar="contacts/includes/list_toolbar.html",
    save_view_args=("contact",),
    url_names=SAVED_VIEW_URLS,
)
