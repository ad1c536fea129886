"""What counts against the plan's monthly marketing e-mails."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from modules.marketing.delivery.choices import HANDED_OVER, PENDING
from modules.marketing.delivery.models import Recipient


def messages_counted_since(start: datetime) -> int:
    """Messages handed over since ``start`` plus those still to go: a send that started counts its
    whole audience at once, so two sends started together cannot both slip under the limit."""
    return Recipient.objects.filter(Q(state__in=PENDING) | Q(state__in=HANDED_OVER, sent_at__gte=start)).count()
