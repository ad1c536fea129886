"""What counts against the plan's monthly marketing e-mails."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from modules.marketing.delivery.choices import HANDED_OVER, PENDING, RecipientState
from modules.marketing.delivery.models import Recipient


def messages_counted_since(start: datetime) -> int:
    """Messages handed over since ``start`` plus those still to go: a send that started counts its
    whole audience at once, so two sends started together cannot both slip under the limit. An
    unconfirmed message (its worker died during the hand-over) counts from its claim: it may have
    gone, and sending it again later does not count it twice (it is one row)."""
    return Recipient.objects.filter(
        Q(state__in=PENDING)
        | Q(state__in=HANDED_OVER, sent_at__gte=start)
        | Q(state=RecipientState.UNCONFIRMED, claimed_at__gte=start)
    ).count()
