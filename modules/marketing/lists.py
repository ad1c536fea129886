"""The campaign list, declared for the list framework (``modules.lists``): filters by kind, status,
owner and dates, search, saved views, bulk status changes and deletion."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.input_bounds import value_problem
from identity.models import User
from modules.contacts.choices import SavedViewEntity
from modules.lists.actions import owner_choices
from modules.lists.definition import BulkAction, Column, Filter, ListDefinition
from modules.marketing.choices import CampaignKind, CampaignStatus
from modules.marketing.selectors.campaigns import campaign_list_queryset
from modules.marketing.services.campaigns import delete_campaign, update_campaign

ME = "me"


def _date(value: str) -> date | None:
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return None
    return None if value_problem(parsed) else parsed


def filter_campaigns(campaigns: QuerySet[Any], params: Mapping[str, str], user: User) -> QuerySet[Any]:
    """``campaigns`` narrowed by the list's parameters; values that name nothing are ignored.
    ``from`` / ``to``: campaigns running at some time in that span."""
    if params.get("kind", "") in CampaignKind.values:
        campaigns = campaigns.filter(kind=params["kind"])
    if params.get("status", "") in CampaignStatus.values:
        campaigns = campaigns.filter(status=params["status"])
    owner = params.get("owner", "")
    if owner == ME:
        campaigns = campaigns.filter(owner=user)
    elif owner.isdigit() and not value_problem(int(owner)):
        campaigns = campaigns.filter(owner_id=int(owner))
    parent = params.get("parent", "")
    if parent.isdigit() and not value_problem(int(parent)):
        campaigns = campaigns.filter(parent_id=int(parent))
    start = _date(params.get("from", ""))
    if start is not None:
        campaigns = campaigns.filter(Q(end_date__gte=start) | Q(end_date__isnull=True))
    end = _date(params.get("to", ""))
    if end is not None:
        campaigns = campaigns.filter(Q(start_date__lte=end) | Q(start_date__isnull=True))
    query = params.get("q", "").strip()
    if query:
        campaigns = campaigns.filter(Q(name__icontains=query) | Q(description__icontains=query))
    return campaigns


def _owner_options(user: User) -> Iterable[tuple[Any, Any]]:
    return [(ME, _("Me")), *((owner.pk, owner.display_name) for owner in owner_choices(user))]


def _status_field(user: User) -> forms.Field:
    return forms.ChoiceField(choices=CampaignStatus.choices, label=_("Status"))


def _detail(row: Any) -> str:
    return reverse("marketing:campaign-detail", args=[row.pk])


SET_CAMPAIGN_STATUS = BulkAction(
    key="campaign_status",
    label=_("Change status"),
    fields=lambda definition, user: {"campaign_status": _status_field(user)},
    run=lambda definition, row, data, user: update_campaign(row, by=user, status=data["campaign_status"]),
)

CAMPAIGNS = ListDefinition(
    key=SavedViewEntity.CAMPAIGN,
    title=_("Campaigns"),
    namespace="marketing",
    prefix="campaign",
    module_permission="marketing",
    rows=campaign_list_queryset,
    apply_filters=filter_campaigns,
    filters=(
        Filter("q", _("Search"), placeholder=_("Name or description")),
        Filter("kind", _("Kind"), options=lambda user: CampaignKind.choices),
        Filter("status", _("Status"), options=lambda user: CampaignStatus.choices),
        Filter("owner", _("Owner"), options=_owner_options, any_label=_("Anyone")),
        Filter("from", _("Running from"), input_type="date"),
        Filter("to", _("Running until"), input_type="date"),
    ),
    hidden_filters=("parent",),
    columns=(
        Column("name", _("Name"), "lists/cells/link.html", url=_detail, sort="name", phone=True),
        Column("kind", _("Kind"), value=lambda row: row.get_kind_display()),
        Column(
            "status",
            _("Status"),
            "marketing/cells/status.html",
            phone=True,
            export=lambda row: row.get_status_display(),
        ),
        Column("start_date", _("Start"), "lists/cells/date.html", sort="start"),
        Column("end_date", _("End"), "lists/cells/date.html", sort="end"),
        Column("owner", _("Owner"), "lists/cells/user.html"),
        Column("members", _("Members"), value="member_count", numeric=True, sort="members"),
        Column("budget", _("Budget"), "marketing/cells/money.html", value="budget", numeric=True, sort="budget"),
        Column(
            "actual_cost",
            _("Actual cost"),
            "marketing/cells/money.html",
            value="actual_cost",
            numeric=True,
            sort="cost",
        ),
        Column("parent", _("Parent campaign"), value="parent.name", default=False),
        Column("created_at", _("Created"), "lists/cells/datetime.html", sort="created", default=False),
    ),
    sorts={
        "name": "name",
        "start": "start_date",
        "end": "end_date",
        "members": "member_count",
        "budget": "budget",
        "cost": "actual_cost",
        "created": "created_at",
    },
    default_sort="-start",
    update=update_campaign,
    delete=delete_campaign,
    actions=(SET_CAMPAIGN_STATUS,),
    toolbar="marketing/campaigns/list_toolbar.html",
    empty_text=_("No campaigns match."),
    rows_name="campaigns",
    exportable=True,
)
