"""The recipients of one marketing e-mail on the list framework (``modules.lists``), shown on the
e-mail's send page: filters by state, subject variant and address, saved views, keyset pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from identity.models import User
from modules.lists.definition import Column, Filter, ListDefinition
from modules.lists.keys import register_list_key
from modules.marketing.delivery.choices import RecipientState, Variant
from modules.marketing.delivery.models import Recipient
from modules.marketing.models import MarketingEmail


def recipient_rows(user: User) -> QuerySet[Recipient]:
    return Recipient.objects.select_related("contact")


def filter_recipients(rows: QuerySet[Any], params: Mapping[str, str], user: User) -> QuerySet[Any]:
    """``rows`` narrowed by the list's parameters; values that name nothing are ignored."""
    if params.get("state", "") in RecipientState.values:
        rows = rows.filter(state=params["state"])
    if params.get("variant", "") in Variant.values:
        rows = rows.filter(variant=params["variant"])
    query = params.get("q", "").strip()
    if query:
        rows = rows.filter(address__icontains=query)
    return rows


def _state(row: Recipient) -> str:
    state = str(row.get_state_display())
    return f"{state} ({row.get_skip_reason_display()})" if row.skip_reason else state


RECIPIENTS = ListDefinition(
    key=register_list_key("email_recipient"),
    title=_("Recipients"),
    namespace="marketing-delivery",
    prefix="recipient",
    module_permission="marketing",
    rows=recipient_rows,
    apply_filters=filter_recipients,
    filters=(
        Filter("q", _("Address contains"), placeholder=_("Address")),
        Filter("state", _("State"), options=lambda user: RecipientState.choices, any_label=_("All states")),
        Filter("variant", _("Subject"), options=lambda user: Variant.choices),
    ),
    columns=(
        Column("contact", _("Contact"), "marketing_delivery/cells/contact.html", phone=True),
        Column("address", _("Address")),
        Column("variant", _("Subject"), value=lambda row: row.get_variant_display()),
        Column("state", _("State"), value=_state, phone=True),
        Column("sent_at", _("Sent"), "lists/cells/datetime.html", sort="sent"),
        Column("opened_at", _("Opened"), "lists/cells/datetime.html", sort="opened"),
        Column("first_click_at", _("Clicked"), "lists/cells/datetime.html", sort="clicked"),
        Column("opens", _("Opens"), numeric=True, default=False),
        Column("clicks", _("Clicks"), numeric=True, default=False),
        Column("error", _("Error"), "marketing_delivery/cells/error.html"),
    ),
    sorts={"queued": "id", "sent": "sent_at", "opened": "opened_at", "clicked": "first_click_at"},
    default_sort="queued",
    custom_fields=False,
    owner_field=None,
    empty_text=_("No recipients."),
    url_names={"list": "marketing-delivery:email"},
    exportable=True,
)


def for_email(email: MarketingEmail) -> ListDefinition:
    email_id = email.pk
    return replace(RECIPIENTS, rows=lambda user: recipient_rows(user).filter(email_id=email_id), url_args=(email_id,))
