"""The marketing e-mail list, declared for the list framework (``modules.lists``): search, status,
campaign and segment filters, saved views, deletion of drafts in bulk."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.input_bounds import value_problem
from identity.models import User
from modules.lists.definition import Column, Filter, ListDefinition
from modules.lists.keys import register_list_key
from modules.marketing.choices import EmailStatus
from modules.marketing.email.services.emails import delete_email
from modules.marketing.models import MarketingEmail, Segment

NO_CAMPAIGN = "none"


def email_rows(user: User) -> QuerySet[MarketingEmail]:
    return MarketingEmail.objects.select_related("campaign", "segment")


def _id(value: str) -> int | None:
    return int(value) if value.isdigit() and not value_problem(int(value)) else None


def filter_emails(emails: QuerySet[Any], params: Mapping[str, str], user: User) -> QuerySet[Any]:
    """``emails`` narrowed by the list's parameters; values that name nothing are ignored."""
    if params.get("status", "") in EmailStatus.values:
        emails = emails.filter(status=params["status"])
    segment = _id(params.get("segment", ""))
    if segment is not None:
        emails = emails.filter(segment_id=segment)
    campaign = params.get("campaign", "")
    if campaign == NO_CAMPAIGN:
        emails = emails.filter(campaign__isnull=True)
    elif _id(campaign) is not None:
        emails = emails.filter(campaign_id=_id(campaign))
    query = params.get("q", "").strip()
    if query:
        emails = emails.filter(Q(name__icontains=query) | Q(subject__icontains=query))
    return emails


def _segment_options(user: User) -> list[tuple[Any, Any]]:
    return list(Segment.objects.order_by("name").values_list("pk", "name")[:500])


def _edit(row: MarketingEmail) -> str:
    return reverse("marketing-email:edit", args=[row.pk])


EMAILS = ListDefinition(
    key=register_list_key("marketing_email"),
    title=_("Marketing e-mails"),
    namespace="marketing-email",
    prefix="email",
    module_permission="marketing",
    rows=email_rows,
    apply_filters=filter_emails,
    filters=(
        Filter("q", _("Search"), placeholder=_("Name or subject")),
        Filter("status", _("Status"), options=lambda user: EmailStatus.choices),
        Filter("segment", _("Segment"), options=_segment_options),
    ),
    # ``campaign``: the "e-mails" link of a campaign's page.
    hidden_filters=("campaign",),
    columns=(
        Column("name", _("Name"), "lists/cells/link.html", url=_edit, sort="name", phone=True),
        Column("subject", _("Subject")),
        Column(
            "status",
            _("Status"),
            "marketing_email/cells/status.html",
            phone=True,
            export=lambda row: row.get_status_display(),
        ),
        Column("campaign", _("Campaign"), value="campaign.name"),
        Column("segment", _("Segment"), value="segment.name"),
        Column("sent_at", _("Sent"), "lists/cells/datetime.html", sort="sent", default=False),
        Column("updated_at", _("Updated"), "lists/cells/datetime.html", sort="updated"),
        Column("created_at", _("Created"), "lists/cells/datetime.html", sort="created", default=False),
    ),
    sorts={"name": "name", "sent": "sent_at", "updated": "updated_at", "created": "created_at"},
    default_sort="-created",
    custom_fields=False,
    owner_field=None,
    delete=delete_email,
    toolbar="marketing_email/list_toolbar.html",
    empty_text=_("No marketing e-mails yet."),
    rows_name="emails",
    url_names={"list": "marketing-email:list"},
    exportable=True,
)
