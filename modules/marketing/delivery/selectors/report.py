"""A send's figures for its report page and the APIs, in one aggregate query (for one e-mail or a page)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Lower

from modules.marketing.choices import SuppressionReason
from modules.marketing.consent.choices import ConsentAction, ConsentSource
from modules.marketing.consent.models import ConsentEvent
from modules.marketing.delivery.choices import HANDED_OVER, RecipientState, Variant
from modules.marketing.delivery.models import Click, Recipient
from modules.marketing.models import Suppression


@dataclass(frozen=True)
class Figures:
    total: int
    queued: int
    held: int
    sent: int
    delivered: int
    failed: int
    skipped: int
    bounced: int
    complained: int
    cancelled: int
    unconfirmed: int
    unique_opens: int
    opens: int
    unique_clicks: int
    clicks: int
    unsubscribes: int
    opens_a: int
    opens_b: int
    sent_a: int
    sent_b: int

    @property
    def done_percent(self) -> int:
        waiting = self.queued + self.held
        return 100 if self.total == 0 else (self.total - waiting) * 100 // self.total

    def rate(self, part: int) -> str:
        return f"{part * 100 / self.sent:.1f}" if self.sent else "0.0"


FIGURES = tuple(Figures.__dataclass_fields__)


def figures(email_id: int) -> Figures:
    return figures_for([email_id])[email_id]


def figures_for(email_ids: Iterable[int]) -> dict[int, Figures]:
    """The figures of each e-mail (zeros for one without recipients), in one grouped query, so a
    page of e-mails costs the same whatever its length."""
    ids = sorted(set(email_ids))
    handed = Q(state__in=HANDED_OVER)
    # Unsubscribed after the message went out: from everything (the consent part's suppression
    # row), or from the e-mail's topic only — a withdrawal in the consent history made by the person
    # through an unsubscribe link or the preference page (not staff or an import).
    unsubscribed = Suppression.objects.annotate(address=Lower("email")).filter(
        address=OuterRef("address"), reason=SuppressionReason.UNSUBSCRIBED, created_at__gte=OuterRef("sent_at")
    )
    left_topic = ConsentEvent.objects.filter(
        contact_id=OuterRef("contact_id"), topic_id=OuterRef("email__topic_id"), action=ConsentAction.WITHDRAWN,
        source__in=(ConsentSource.UNSUBSCRIBE_LINK, ConsentSource.PREFERENCE_PAGE),
        occurred_at__gte=OuterRef("sent_at"),
    )  # fmt: skip
    rows = (
        Recipient.objects.filter(email_id__in=ids)
        .values("email_id")
        .order_by("email_id")
        .annotate(
            total=Count("pk"),
            queued=Count("pk", filter=Q(state__in=(RecipientState.QUEUED, RecipientState.SENDING))),
            held=Count("pk", filter=Q(state=RecipientState.HELD)),
            sent=Count("pk", filter=handed),
            delivered=Count("pk", filter=Q(state=RecipientState.DELIVERED)),
            failed=Count("pk", filter=Q(state=RecipientState.FAILED)),
            skipped=Count("pk", filter=Q(state=RecipientState.SKIPPED)),
            bounced=Count("pk", filter=Q(state=RecipientState.BOUNCED)),
            complained=Count("pk", filter=Q(state=RecipientState.COMPLAINED)),
            cancelled=Count("pk", filter=Q(state=RecipientState.CANCELLED)),
            unconfirmed=Count("pk", filter=Q(state=RecipientState.UNCONFIRMED)),
            unique_opens=Count("pk", filter=Q(opened_at__isnull=False)),
            opens=Sum("opens", default=0),
            unique_clicks=Count("pk", filter=Q(first_click_at__isnull=False)),
            clicks=Sum("clicks", default=0),
            unsubscribes=Count("pk", filter=(Q(Exists(unsubscribed)) | Q(Exists(left_topic))) & handed),
            opens_a=Count("pk", filter=Q(variant=Variant.A, opened_at__isnull=False) & handed),
            opens_b=Count("pk", filter=Q(variant=Variant.B, opened_at__isnull=False) & handed),
            sent_a=Count("pk", filter=Q(variant=Variant.A) & handed),
            sent_b=Count("pk", filter=Q(variant=Variant.B) & handed),
        )
        if ids
        else []
    )
    found = {}
    for row in rows:
        values: dict[str, Any] = dict(row)
        email_id = values.pop("email_id")
        found[email_id] = Figures(**values)
    empty = Figures(**dict.fromkeys(FIGURES, 0))
    return {pk: found.get(pk, empty) for pk in ids}


def link_clicks(email_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """Clicks per link, most clicked first: total clicks and how many recipients clicked it."""
    rows = (
        Click.objects.filter(email_id=email_id)
        .values("url")
        .annotate(clicks=Sum("count"), recipients=Count("pk"))
        .order_by("-clicks", "url")[:limit]
    )
    return [dict(row) for row in rows]
