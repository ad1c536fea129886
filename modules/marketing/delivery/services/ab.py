"""The A/B subject test's decision: after ``ab_wait_hours`` the subject with more unique opens in
the test group wins (a tie goes to A), and the held rest of the audience gets it."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from modules.marketing.delivery.choices import RecipientState, SendStatus, Variant
from modules.marketing.delivery.models import Recipient, Send
from modules.marketing.models import MarketingEmail


def unique_opens(email_id: int) -> dict[str, int]:
    tested = Recipient.objects.filter(email_id=email_id).exclude(state=RecipientState.HELD)
    counts = tested.aggregate(
        a=Count("pk", filter=Q(variant=Variant.A, opened_at__isnull=False)),
        b=Count("pk", filter=Q(variant=Variant.B, opened_at__isnull=False)),
    )
    return {"a": counts["a"], "b": counts["b"]}


def decide(send: Send) -> str:
    """Choose the winner and queue the held rows with it (in one transaction). Returns the winner."""
    from modules.marketing.delivery.tasks import queue_delivery

    with transaction.atomic():
        send = Send.objects.select_for_update().get(pk=send.pk)
        if send.status != SendStatus.TESTING:
            return send.ab_winner
        opens = unique_opens(send.email_id)
        winner = Variant.B if opens["b"] > opens["a"] else Variant.A
        Recipient.objects.filter(email_id=send.email_id, state=RecipientState.HELD).update(
            state=RecipientState.QUEUED, variant=winner
        )
        send.status = SendStatus.SENDING
        send.ab_winner = winner
        send.save(update_fields=["status", "ab_winner"])
        MarketingEmail.objects.filter(pk=send.email_id).update(ab_winner=winner, updated_at=timezone.now())
        email_id = send.email_id
        transaction.on_commit(lambda: queue_delivery(email_id))
    return winner


def decide_due_tests(now: datetime | None = None) -> list[int]:
    moment = now or timezone.now()
    decided = []
    for send in Send.objects.filter(status=SendStatus.TESTING, ab_decide_at__lte=moment):
        decide(send)
        decided.append(send.email_id)
    return decided
