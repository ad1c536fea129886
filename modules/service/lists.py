"""The case list, declared for the list framework (``modules.lists``): columns, filters, sorts,
bulk actions, and the agents' ready-made views (my cases, unassigned in my queues, all open,
breaching soon: an SLA target due within a few hours, from ``modules.service.sla.selectors``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.input_bounds import value_problem
from identity.models import Team, User
from modules.contacts.choices import SavedViewEntity
from modules.lists.actions import owner_choices
from modules.lists.definition import BulkAction, Column, Filter, ListDefinition
from modules.service.choices import ACTIVE_CATEGORIES, CaseChannel, CasePriority, StatusCategory
from modules.service.models import CaseCategory, CaseStatus
from modules.service.selectors.cases import case_list_queryset, matching_cases
from modules.service.services.cases import delete_case, update_case
from modules.service.sla.selectors import breaching_soon

ME = "me"
NOBODY = "none"
MY_QUEUES = "mine"
OPEN = "active"  # the status category filter's "any open category"
# "Breaching soon": an SLA target due within this long (or overdue and not met), by the filter's value.
BREACHING_WITHIN = {"1h": timedelta(hours=1), "4h": timedelta(hours=4), "1d": timedelta(days=1)}


def _id(value: str) -> int | None:
    return int(value) if value.isdigit() and not value_problem(int(value)) else None


def filter_cases(cases: QuerySet[Any], params: Mapping[str, str], user: User) -> QuerySet[Any]:
    """``cases`` narrowed by the list's parameters; values that name nothing are ignored."""
    status = _id(params.get("status", ""))
    if status is not None:
        cases = cases.filter(status_id=status)
    category = params.get("status_category", "")
    if category == OPEN:
        cases = cases.filter(status__category__in=ACTIVE_CATEGORIES)
    elif category in StatusCategory.values:
        cases = cases.filter(status__category=category)
    for name, choices in (("priority", CasePriority.values), ("channel", CaseChannel.values)):
        if params.get(name, "") in choices:
            cases = cases.filter(**{name: params[name]})
    for name, column in (("category", "category_id"), ("queue", "team_id"), ("company", "company_id"),
                         ("contact", "contact_id")):  # fmt: skip
        value = _id(params.get(name, ""))
        if value is not None:
            cases = cases.filter(**{column: value})
    agent = params.get("agent", "")
    if agent == ME:
        cases = cases.filter(owner=user)
    elif agent == NOBODY:
        cases = cases.filter(owner__isnull=True)
    elif _id(agent) is not None:
        cases = cases.filter(owner_id=_id(agent))
    unassigned = params.get("unassigned", "")
    if unassigned == MY_QUEUES:
        cases = cases.filter(owner__isnull=True, team__in=user.teams.all())
    elif unassigned == "1":
        cases = cases.filter(owner__isnull=True)
    within = BREACHING_WITHIN.get(params.get("breaching", ""))
    if within is not None:
        cases = breaching_soon(cases, within)
    query = params.get("q", "").strip()
    if query:
        cases = matching_cases(cases, query)
    return cases


def _status_options(user: User) -> Iterable[tuple[Any, Any]]:
    return [(status.pk, status.label) for status in CaseStatus.objects.order_by("position", "id")]


def _category_options(user: User) -> Iterable[tuple[Any, Any]]:
    return CaseCategory.objects.order_by("name").values_list("pk", "name")


def _queue_options(user: User) -> Iterable[tuple[Any, Any]]:
    return Team.objects.order_by("name").values_list("pk", "name")


def _agent_options(user: User) -> Iterable[tuple[Any, Any]]:
    return [(ME, _("Me")), (NOBODY, _("Nobody")), *((agent.pk, agent.display_name) for agent in owner_choices(user))]


def _status_category_options(user: User) -> Iterable[tuple[Any, Any]]:
    return [(OPEN, _("Any open status")), *StatusCategory.choices]


def _status_field(user: User) -> forms.Field:
    return forms.ModelChoiceField(
        queryset=CaseStatus.objects.filter(is_active=True).order_by("position", "id"), label=_("Status")
    )


def _priority_field(user: User) -> forms.Field:
    return forms.ChoiceField(choices=CasePriority.choices, label=_("Priority"))


SET_CASE_STATUS = BulkAction(
    key="case_status",
    label=_("Change status"),
    fields=lambda definition, user: {"case_status": _status_field(user)},
    run=lambda definition, row, data, user: update_case(row, by=user, status=data["case_status"]),
)
SET_CASE_PRIORITY = BulkAction(
    key="case_priority",
    label=_("Change priority"),
    fields=lambda definition, user: {"case_priority": _priority_field(user)},
    run=lambda definition, row, data, user: update_case(row, by=user, priority=data["case_priority"]),
)


def presets(user: User, current: Mapping[str, str]) -> list[dict[str, Any]]:
    """The agents' views, one click each: their own open cases, the unassigned cases waiting in
    their queues, and every open case they may see."""
    views = [
        ("my", _("My cases"), {"agent": ME, "status_category": OPEN}),
        ("unassigned", _("Unassigned in my queues"), {"unassigned": MY_QUEUES, "status_category": OPEN}),
        ("open", _("All open"), {"status_category": OPEN}),
        ("breaching", _("Breaching soon"), {"breaching": "4h"}),
    ]
    chosen = {key: value for key, value in current.items() if key != "sort"}
    return [
        {
            "key": key,
            "label": label,
            "url": f"{reverse('service:case-list')}?{urlencode(query)}",
            "active": chosen == query,
        }
        for key, label, query in views
    ]


CASES = ListDefinition(
    key=SavedViewEntity.CASE,
    title=_("Cases"),
    namespace="service",
    prefix="case",
    module_permission="service",
    rows=lambda user: case_list_queryset(user),
    apply_filters=filter_cases,
    filters=(
        Filter("q", _("Search"), placeholder=_("Number, subject or contact")),
        Filter("status", _("Status"), options=_status_options),
        Filter("status_category", _("Status category"), options=_status_category_options),
        Filter("priority", _("Priority"), options=lambda user: CasePriority.choices),
        Filter("channel", _("Channel"), options=lambda user: CaseChannel.choices),
        Filter("category", _("Category"), options=_category_options),
        Filter("queue", _("Queue"), options=_queue_options),
        Filter("agent", _("Agent"), options=_agent_options, any_label=_("Anyone")),
        Filter(
            "unassigned",
            _("Unassigned"),
            options=lambda user: [("1", _("Unassigned")), (MY_QUEUES, _("Unassigned in my queues"))],
        ),
        Filter(
            "breaching",
            _("Breaching soon"),
            options=lambda user: [
                ("1h", _("SLA due within an hour")),
                ("4h", _("SLA due within 4 hours")),
                ("1d", _("SLA due within a day")),
            ],
        ),
    ),
    # ``company`` and ``contact``: the "all cases" links of a customer's page.
    hidden_filters=("company", "contact"),
    columns=(
        Column(
            "number",
            _("Number"),
            "lists/cells/number_link.html",
            url=lambda row: reverse("service:case-detail", args=[row.pk]),
            sort="number",
        ),
        Column(
            "subject",
            _("Subject"),
            "lists/cells/link.html",
            url=lambda row: reverse("service:case-detail", args=[row.pk]),
            phone=True,
        ),
        Column("customer", _("Customer"), "service/cells/customer.html", value=lambda row: row.contact_id),
        Column("status", _("Status"), "service/cells/status.html", phone=True),
        Column("priority", _("Priority"), "service/cells/priority.html"),
        Column("team", _("Queue"), value="team.name"),
        Column("owner", _("Agent"), "lists/cells/user.html"),
        Column("created_at", _("Created"), "lists/cells/datetime.html", sort="created"),
        Column("updated_at", _("Updated"), "lists/cells/datetime.html", sort="updated"),
        Column("channel", _("Channel"), value=lambda row: row.get_channel_display(), default=False),
        Column("category", _("Category"), value="category.name", default=False),
    ),
    sorts={"number": "number", "created": "created_at", "updated": "updated_at"},
    default_sort="-created",
    update=update_case,
    delete=delete_case,
    actions=(SET_CASE_STATUS, SET_CASE_PRIORITY),
    toolbar="service/cases/list_toolbar.html",
    empty_text=_("No cases match."),
    rows_name="cases",
)
