"""Marketing e-mails for the API sweeps (documented responses): a draft, one ready to schedule,
one ready to send, a scheduled one to cancel and a started send's recipient."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from identity.models import User
from modules.marketing.choices import SegmentKind
from modules.marketing.delivery.models import Recipient
from modules.marketing.delivery.services.sends import schedule_send, start_send
from modules.marketing.email.services.emails import create_email
from modules.marketing.models import Segment, SegmentMember
from tests.factories import ContactFactory

EMAIL_BLOCKS = [{"type": "text", "html": "<p>Hello {{ contact.first_name }}</p>"}]


def marketing_email_records(owner: User) -> dict[str, Any]:
    segment = Segment.objects.create(name="Documented readers", kind=SegmentKind.STATIC)
    SegmentMember.objects.create(segment=segment, contact=ContactFactory(email="reader@documented.example"))

    def email(name: str) -> Any:
        return create_email(by=owner, name=name, subject="Hello", segment=segment, content=EMAIL_BLOCKS)

    started = email("Documented sent")
    start_send(started, by=owner)
    # A send a dead worker left in doubt: its one recipient is unconfirmed (send-unconfirmed).
    unsure = email("Documented unsure")
    start_send(unsure, by=owner)
    Recipient.objects.filter(email=unsure).update(state="unconfirmed", claimed_at=timezone.now(), attempts=1)
    scheduled = email("Documented scheduled")
    schedule_send(scheduled, at=timezone.now() + timedelta(days=3), by=owner)
    return {
        "marketing-emails": email("Documented e-mail"),
        "delete:marketing-emails": email("Deleted e-mail"),
        "schedule:marketing-emails": email("To schedule"),
        "send:marketing-emails": email("To send"),
        "cancel:marketing-emails": scheduled,
        "unconfirmed:marketing-emails": unsure,
        "marketing-email-recipients": Recipient.objects.get(email=started),
    }
