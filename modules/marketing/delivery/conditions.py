"""Segment conditions on e-mail engagement, registered with the segments app from this app's
``ready()`` (the segments app never imports delivery): a contact was sent, opened, clicked or
bounced a marketing e-mail — any, or a chosen one — in the last N days, or ever.

Each compiles to one ``Exists`` subquery over the recipient rows correlated on the contact, so a
segment stays one query. The moments are the recipient's: ``sent_at`` for a send and a bounce (a
bounce answers a message sent moments before), the first open and the first click for opens and
clicks. Recording an open, a click or a bounce writes a ``marketing_email.*`` event on the contact,
which the segments' outbox consumer follows; "in the last N days" has a ``days`` parameter, which
puts the segment in the daily rebuild of time-relative segments."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from modules.marketing.delivery.choices import HANDED_OVER, RecipientState
from modules.marketing.delivery.models import Recipient
from modules.marketing.models import MarketingEmail
from modules.marketing.segments.conditions.registry import Param, register_condition

KEY = "marketing_email"

# What each operator asks of a recipient row, and the moment "in the last N days" reads.
_OPS: dict[str, tuple[Q, str]] = {
    "sent": (Q(state__in=HANDED_OVER), "sent_at"),
    "opened": (Q(opened_at__isnull=False), "opened_at"),
    "clicked": (Q(first_click_at__isnull=False), "first_click_at"),
    "bounced": (Q(state=RecipientState.BOUNCED), "sent_at"),
}


def _sent_emails() -> tuple[tuple[Any, Any], ...]:
    """The e-mails a condition may name: those that were sent, the latest first."""
    return tuple(
        MarketingEmail.objects.filter(send__isnull=False).order_by("-send__started_at", "-pk").values_list("pk", "name")
    )


def engagement_q(cleaned: Mapping[str, Any]) -> Q:
    wanted, moment = _OPS[cleaned["op"]]
    rows = Recipient.objects.filter(wanted, contact_id=OuterRef("pk"))
    if cleaned.get("email"):
        rows = rows.filter(email_id=int(cleaned["email"]))
    if cleaned.get("days"):
        rows = rows.filter(**{f"{moment}__gte": timezone.now() - timedelta(days=cleaned["days"])})
    return Q(Exists(rows))


def register() -> None:
    register_condition(
        KEY,
        engagement_q,
        label=gettext_lazy("Marketing e-mails"),
        ops=(
            ("sent", gettext_lazy("was sent")),
            ("opened", gettext_lazy("opened")),
            ("clicked", gettext_lazy("clicked a link in")),
            ("bounced", gettext_lazy("bounced")),
        ),
        params=(
            Param("email", gettext_lazy("e-mail (empty: any)"), "choice", choices=_sent_emails, optional=True),
            Param("days", gettext_lazy("in the last … days (empty: ever)"), "days", optional=True),
        ),
    )
