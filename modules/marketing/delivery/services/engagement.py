"""What recipients did with a message: opened, clicked, delivered, bounced, complained. Each is
recorded on the recipient (first moments and counts), on the contact's timeline, and as an outbox
event (``marketing_email.<what>``, entity contact, data ``{"id": e-mail pk}``) that scoring,
workflows and webhooks read; a recipient's first click is also a touch of the e-mail's campaign.
Bounces and complaints put the address on the suppression list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customization.events.outbox import emit, emit_many
from modules.contacts.choices import TimelineKind
from modules.contacts.models import Contact
from modules.contacts.services.timeline import record_entries, record_entry
from modules.marketing.attribution.choices import TouchKind
from modules.marketing.attribution.services import record_touch
from modules.marketing.choices import SuppressionReason
from modules.marketing.delivery.choices import RecipientState
from modules.marketing.delivery.models import Click, Recipient
from modules.marketing.delivery.tracking import url_hash
from modules.marketing.models import MarketingEmail

# The events ``note`` writes (``marketing_email.<what>``), as subscribers see them listed.
EVENTS = (
    ("marketing_email.sent", _("sent")),
    ("marketing_email.opened", _("opened")),
    ("marketing_email.clicked", _("clicked")),
    ("marketing_email.bounced", _("bounced")),
    ("marketing_email.complained", _("complained")),
)
# After these a message is not "sent" any more but has a known fate.
_FINAL = (RecipientState.BOUNCED, RecipientState.COMPLAINED)


def note(recipient: Recipient, what: str, *, at: datetime | None = None, **extra: Any) -> None:
    """The timeline entry and the outbox event of ``what`` for the recipient's contact (in the
    caller's transaction). A recipient whose contact was deleted has neither."""
    if recipient.contact_id is None:
        return
    data = {"event": what, "email": recipient.email_id, **extra}
    record_entry(TimelineKind.MARKETING_EMAIL, actor=None, data=data, occurred_at=at, contact_id=recipient.contact_id)
    emit(
        f"marketing_email.{what}",
        Contact(pk=recipient.contact_id),
        entity="contact",
        data={"id": recipient.email_id, **extra},
    )


def note_sent_many(sent: list[tuple[int, int]], *, at: datetime) -> None:
    """``note(…, "sent")`` for many ``(e-mail, contact)`` pairs in two INSERTs (caller's transaction):
    a batch's timeline entries and ``marketing_email.sent`` events."""
    if not sent:
        return
    record_entries(
        TimelineKind.MARKETING_EMAIL,
        [({"event": "sent", "email": email_id}, {"contact_id": contact_id}) for email_id, contact_id in sent],
        occurred_at=at,
    )
    emit_many(
        "marketing_email.sent",
        entity="contact",
        records=[(contact_id, {"id": email_id}) for email_id, contact_id in sent],
    )


def record_open(recipient_id: int, *, at: datetime | None = None) -> Recipient | None:
    """One open (the pixel, or a provider's report). The first one is the unique open."""
    now = at or timezone.now()
    with transaction.atomic():
        recipient = Recipient.objects.select_for_update().filter(pk=recipient_id).first()
        if recipient is None:
            return None
        first = recipient.opened_at is None
        Recipient.objects.filter(pk=recipient.pk).update(opens=F("opens") + 1, **({"opened_at": now} if first else {}))
        if first:
            note(recipient, "opened", at=now)
    return recipient


def record_click(recipient_id: int, url: str, *, at: datetime | None = None) -> Recipient | None:
    """One click on ``url``. A click also counts as an open (images are often blocked)."""
    now = at or timezone.now()
    with transaction.atomic():
        recipient = Recipient.objects.select_for_update().filter(pk=recipient_id).first()
        if recipient is None:
            return None
        digest = url_hash(url)
        updated = Click.objects.filter(recipient=recipient, url_hash=digest).update(count=F("count") + 1)
        first_on_link = not updated
        if first_on_link:
            try:
                with transaction.atomic():
                    Click.objects.create(
                        recipient=recipient, email_id=recipient.email_id, url=url[:2000], url_hash=digest, first_at=now
                    )
            except IntegrityError:  # the recipient row lock makes this a formality
                Click.objects.filter(recipient=recipient, url_hash=digest).update(count=F("count") + 1)
        changes: dict[str, Any] = {"clicks": F("clicks") + 1}
        if recipient.first_click_at is None:
            changes["first_click_at"] = now
        if recipient.opened_at is None:
            changes["opened_at"] = now
            changes["opens"] = F("opens") + 1
        Recipient.objects.filter(pk=recipient.pk).update(**changes)
        if recipient.opened_at is None:
            note(recipient, "opened", at=now)
        if first_on_link:
            note(recipient, "clicked", at=now, url=url[:2000])
        if recipient.first_click_at is None:
            _touch_campaign(recipient, now)
    return recipient


def _touch_campaign(recipient: Recipient, at: datetime) -> None:
    """A recipient's first click is an attribution touch of the e-mail's campaign on the contact
    (its source campaign if it is the first), as a form submission is for the form's."""
    campaign_id = MarketingEmail.objects.filter(pk=recipient.email_id).values_list("campaign_id", flat=True).first()
    if campaign_id is not None and recipient.contact_id is not None:
        record_touch(campaign_id, kind=TouchKind.EMAIL_CLICK, contact=recipient.contact_id, occurred_at=at)


def record_delivered(recipient: Recipient, *, at: datetime | None = None) -> None:
    Recipient.objects.filter(pk=recipient.pk, state=RecipientState.SENT).update(
        state=RecipientState.DELIVERED, delivered_at=at or timezone.now()
    )


def record_bounce(recipient: Recipient, *, hard: bool, detail: str = "", source: str) -> None:
    """A hard bounce suppresses the address and ends the recipient as bounced; a soft one is counted."""
    if not hard:
        Recipient.objects.filter(pk=recipient.pk).update(soft_bounces=F("soft_bounces") + 1)
        return
    from modules.marketing.consent.services import suppress

    with transaction.atomic():
        changed = (
            Recipient.objects.filter(pk=recipient.pk)
            .exclude(state__in=_FINAL)
            .update(state=RecipientState.BOUNCED, error=detail[:2000])
        )
        suppress(recipient.address, reason=SuppressionReason.HARD_BOUNCE, source=source, detail=detail[:2000])
        if changed:
            note(recipient, "bounced")


def record_complaint(recipient: Recipient, *, detail: str = "", source: str) -> None:
    from modules.marketing.consent.services import suppress

    with transaction.atomic():
        changed = (
            Recipient.objects.filter(pk=recipient.pk)
            .exclude(state=RecipientState.COMPLAINED)
            .update(state=RecipientState.COMPLAINED, error=detail[:2000])
        )
        suppress(recipient.address, reason=SuppressionReason.COMPLAINT, source=source, detail=detail[:2000])
        if changed:
            note(recipient, "complained")


def record_provider_unsubscribe(recipient: Recipient, *, source: str) -> None:
    """The provider unsubscribed the address (its own link or List-Unsubscribe handling): it goes on
    the suppression list as an unsubscribe from everything, as our own one-click link would."""
    from modules.marketing.consent.services import suppress

    suppress(recipient.address, reason=SuppressionReason.UNSUBSCRIBED, source=source)
