"""The lead and deal lists, declared for the list framework (``modules.lists``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from identity.models import User
from identity.visibility import restrict_to_visible
from modules.contacts.choices import SavedViewEntity, Source
from modules.contacts.lists import owner_options, tag_options
from modules.lists.definition import BulkAction, Column, Filter, ListDefinition
from modules.sales.choices import DealStatus, LeadStatus
from modules.sales.models import Deal, Lead, Pipeline, Stage
from modules.sales.selectors.deal_filters import HIDDEN_DEAL_FILTERS
from modules.sales.selectors.deals import filter_deals, filter_leads
from modules.sales.services.deals import delete_deal, move_deal_to_stage, update_deal
from modules.sales.services.leads import delete_lead, update_lead

EDITABLE_LEAD_STATUSES = [(value, label) for value, label in LeadStatus.choices if value != LeadStatus.CONVERTED]


def _lead_status_field(user: User) -> forms.Field:
    return forms.ChoiceField(choices=EDITABLE_LEAD_STATUSES, label=_("Status"))


def _source_field(user: User) -> forms.Field:
    return forms.ChoiceField(choices=Source.choices, label=_("Source"))


def _close_date_field(user: User) -> forms.Field:
    return forms.DateField(label=_("Expected close"), widget=forms.DateInput(attrs={"type": "date"}))


def _filter_leads(queryset: QuerySet[Any], params: Mapping[str, str], user: User) -> QuerySet[Any]:
    return filter_leads(queryset, params)  # type: ignore[arg-type]


def _filter_deals(queryset: QuerySet[Any], params: Mapping[str, str], user: User) -> QuerySet[Any]:
    return filter_deals(queryset, params)  # type: ignore[arg-type]


LEADS = ListDefinition(
    key=SavedViewEntity.LEAD,
    title=_("Leads"),
    namespace="sales",
    prefix="lead",
    module_permission="sales",
    rows=lambda user: restrict_to_visible(Lead.objects.all(), user).select_related("owner"),
    apply_filters=_filter_leads,
    filters=(
        Filter("q", _("Search"), placeholder=_("Name, company, e-mail…")),
        Filter("status", _("Status"), options=lambda user: LeadStatus.choices),
        Filter("owner", _("Owner"), options=owner_options, any_label=_("Anyone")),
        Filter("source", _("Source"), options=lambda user: Source.choices),
        Filter("tag", _("Tag"), options=tag_options),
    ),
    # From dashboard widgets: several owners (a team) and a creation-day range.
    hidden_filters=("owners", "created_from", "created_to"),
    columns=(
        Column(
            "full_name",
            _("Name"),
            "lists/cells/record_link.html",
            value=str,
            url=lambda row: reverse("sales:lead-detail", args=[row.pk]),
            sort="name",
        ),
        Column("company_name", _("Company"), sort="company", inline="company_name"),
        Column("email", _("E-mail"), inline="email"),
        Column("phone", _("Phone"), default=False, inline="phone"),
        Column(
            "status",
            _("Status"),
            "sales/cells/lead_status.html",
            value="get_status_display",
            phone=True,
            inline="status",
        ),
        Column("source", _("Source"), value="get_source_display", inline="source"),
        Column("owner", _("Owner"), "lists/cells/user.html", inline="owner"),
        Column("tags", _("Tags"), "lists/cells/tags.html", value="tags.all", prefetch="tags", default=False),
        Column("created_at", _("Created"), "lists/cells/date.html", sort="created"),
        Column("updated_at", _("Updated"), "lists/cells/date.html", sort="updated", default=False),
    ),
    sorts={"created": "created_at", "name": "full_name", "company": "company_name", "updated": "updated_at"},
    default_sort="-created",
    update=update_lead,
    delete=delete_lead,
    has_tags=True,
    activity_link="lead",
    edit_fields=(("status", _("Status"), _lead_status_field), ("source", _("Source"), _source_field)),
    toolbar="sales/leads/list_toolbar.html",
    empty_text=_("No leads match."),
)


def stage_choices(user: User) -> list[Stage]:
    """The stages of every pipeline, read once per request (filter and bulk bar both list them)."""
    cached: list[Stage] | None = getattr(user, "_list_stage_choices", None)
    if cached is None:
        cached = list(Stage.objects.select_related("pipeline").order_by("pipeline__position", "position", "id"))
        user._list_stage_choices = cached  # type: ignore[attr-defined]
    return cached


def _stage_options(user: User) -> Iterable[tuple[Any, Any]]:
    stages = stage_choices(user)
    several = len({stage.pipeline_id for stage in stages}) > 1
    return [(stage.pk, f"{stage.pipeline.name} · {stage.name}" if several else stage.name) for stage in stages]


class StageField(forms.TypedChoiceField):
    def __init__(self, user: User, **kwargs: Any) -> None:
        self.stages = {str(stage.pk): stage for stage in stage_choices(user)}
        super().__init__(choices=_stage_options(user), coerce=self.stages.__getitem__, **kwargs)


MOVE_TO_STAGE = BulkAction(
    key="stage",
    label=_("Move to stage"),
    fields=lambda definition, user: {
        "stage": StageField(user, label=_("Stage"), error_messages={"required": _("Choose the stage.")})
    },
    run=lambda definition, row, data, user: move_deal_to_stage(row, data["stage"], by=user),
)

DEALS = ListDefinition(
    key=SavedViewEntity.DEAL,
    title=_("Deals"),
    namespace="sales",
    prefix="deal",
    module_permission="sales",
    rows=lambda user: restrict_to_visible(Deal.objects.all(), user).select_related(
        "stage", "owner", "company", "pipeline", "contact"
    ),
    apply_filters=_filter_deals,
    filters=(
        Filter("q", _("Search"), placeholder=_("Deal or company…")),
        Filter("pipeline", _("Pipeline"), options=lambda user: Pipeline.objects.values_list("pk", "name")),
        Filter("stage", _("Stage"), options=_stage_options),
        Filter("owner", _("Owner"), options=owner_options, any_label=_("Anyone")),
        Filter("status", _("Status"), options=lambda user: DealStatus.choices),
        Filter("tag", _("Tag"), options=tag_options),
    ),
    # From dashboard widgets and analyses: several owners (a team), a close-day range, deals going
    # stale, and the analyses' product, segment and region filters.
    hidden_filters=(
        "owners",
        "closed_from",
        "closed_to",
        "expected_from",
        "expected_to",
        "stale",
        *HIDDEN_DEAL_FILTERS,
    ),
    columns=(
        Column(
            "name",
            _("Deal"),
            "lists/cells/record_link.html",
            url=lambda row: reverse("sales:deal-detail", args=[row.pk]),
            sort="name",
            inline="name",  # shown as the link to the deal, the pencil beside it
        ),
        Column("company", _("Company"), "contacts/cells/company.html"),
        Column("contact", _("Contact"), "sales/cells/contact.html", default=False),
        Column("stage", _("Stage"), "sales/cells/stage.html", value="stage.name", sort="stage", phone=True),
        Column(
            "amount",
            _("Amount"),
            "sales/cells/amount.html",
            sort="amount",
            numeric=True,
            inline="amount",
        ),
        Column("owner", _("Owner"), "lists/cells/user.html", sort="owner", inline="owner"),
        Column(
            "expected_close_date",
            _("Expected close"),
            "lists/cells/date.html",
            sort="close",
            inline="expected_close_date",
        ),
        Column("status", _("Status"), "lists/cells/badge.html", value="get_status_display", default=False),
        Column("tags", _("Tags"), "lists/cells/tags.html", value="tags.all", prefetch="tags", default=False),
        Column("updated_at", _("Updated"), "lists/cells/date.html", sort="updated", default=False),
    ),
    sorts={
        "updated": "updated_at",
        "amount": "amount",
        "close": "expected_close_date",
        "stage": "stage__position",
        "owner": "owner__full_name",
        "name": "name",
    },
    default_sort="-updated",
    update=update_deal,
    delete=delete_deal,
    has_tags=True,
    activity_link="deal",
    edit_fields=(("expected_close_date", _("Expected close"), _close_date_field),),
    actions=(MOVE_TO_STAGE,),
    toolbar="sales/deals/list_toolbar.html",
)
