"""Sharing a quote with the customer through a secret link, and the customer's answer.

``share_quote`` makes a link (a sent quote; a draft is sent first). Only the SHA-256 of its token
is kept, as for invitations. A link lasts until the end of the quote's validity day in the
tenant's time zone, or 30 days when the quote has none; the owner may revoke it, and making a new
link revokes the previous one. ``resolve`` tells an unknown token (404) from a link that is no longer
good (410). The customer accepts by typing their name or declines with an optional reason: the
quote's status, the share, a timeline entry (who, when, from which address), an outbox event and a
notification to the owner are written in one transaction; accepting also makes the order. Sharing,
accepting and declining are the outbox events ``quote.shared``, ``quote.accepted`` and
``quote.declined`` (webhooks and workflows read them)."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.input_bounds import check_value
from customization.events.outbox import emit
from identity.models import User
from modules.activities.choices import NotificationKind
from modules.activities.models import Notification
from modules.contacts.choices import TimelineKind
from modules.contacts.services.timeline import record_entry
from modules.sales.choices import QuoteAnswer, QuoteStatus
from modules.sales.models import Order, Quote, QuoteShare
from modules.sales.services.orders import create_order_from_quote
from modules.sales.services.quotes import TRANSITIONS

LINK_DAYS = 30
NAME_MAX_LENGTH = 200
REASON_MAX_LENGTH = 2000


class ShareGone(Exception):
    """The link existed but is no longer good; the message says why (shown to the customer)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _end_of(day: object) -> datetime:
    zone_name = getattr(getattr(connection, "tenant", None), "time_zone", "") or "UTC"
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return datetime.combine(day, time.max, tzinfo=zone)  # type: ignore[arg-type]


def link_expiry(quote: Quote) -> datetime:
    """The end of the quote's last valid day, else 30 days from now."""
    if quote.valid_until is not None:
        return _end_of(quote.valid_until)
    return timezone.now() + timedelta(days=LINK_DAYS)


def share_quote(quote: Quote, *, by: User) -> tuple[QuoteShare, str]:
    """A new link to ``quote`` and its token (never stored; shown once). A draft is marked sent;
    an answered or expired quote, or one whose validity has passed, cannot be shared."""
    if quote.status not in (QuoteStatus.DRAFT, QuoteStatus.SENT):
        raise ValidationError({"status": [_("Only a draft or sent quote can be shared.")]})
    expires_at = link_expiry(quote)
    if expires_at <= timezone.now():
        raise ValidationError({"valid_until": [_("The quote's validity has ended: extend it before sharing.")]})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        if quote.status == QuoteStatus.DRAFT:
            if not quote.lines.exists():
                raise ValidationError({"status": [_("Add at least one line before sending the quote.")]})
            _set_status(quote, QuoteStatus.SENT)
        now = timezone.now()
        QuoteShare.objects.filter(quote=quote, revoked_at__isnull=True, answered_at__isnull=True).update(
            revoked_at=now, revoked_by=by
        )
        share = QuoteShare.objects.create(
            quote=quote, token_hash=hash_token(token), created_by=by, expires_at=expires_at
        )
        _timeline(quote, None, "shared", by_user=by)
        emit(
            "quote.shared",
            quote,
            entity="quote",
            actor=by,
            data={"number": quote.number, "share_id": share.pk, "expires_at": share.expires_at.isoformat()},
        )
    return share, token


def revoke_share(share: QuoteShare, *, by: User) -> QuoteShare:
    """End ``share`` now; an answered or already revoked link stays as it is."""
    with transaction.atomic():
        share = QuoteShare.objects.select_for_update().select_related("quote").get(pk=share.pk)
        if share.revoked_at is None and share.answered_at is None:
            share.revoked_at, share.revoked_by = timezone.now(), by
            share.save(update_fields=["revoked_at", "revoked_by"])
            _timeline(share.quote, None, "link_revoked", by_user=by)
    return share


def active_shares(quote: Quote) -> QuerySet[QuoteShare]:
    """The quote's links that still work, newest first (making a link ends the others, so at most
    one unless two were made at once)."""
    return QuoteShare.objects.filter(
        quote=quote, revoked_at__isnull=True, answered_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at", "-id")


def active_share(quote: Quote) -> QuoteShare | None:
    """The quote's link that still works, if any."""
    return active_shares(quote).first()


def resolve(token: str) -> QuoteShare | None:
    """The share of ``token`` with its quote (None: no such link in this workspace); ShareGone when
    it was revoked or has expired."""
    if not token or len(token) > 100:
        return None
    share = (
        QuoteShare.objects.select_related("quote__company", "quote__contact", "quote__owner")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if share is None:
        return None
    if share.revoked_at is not None:
        raise ShareGone(_("This link was withdrawn. Ask your contact for a new one."))
    if share.answered_at is None and share.expires_at <= timezone.now():
        raise ShareGone(_("This link has expired. Ask your contact for a new one."))
    return share


@dataclass(frozen=True)
class Answer:
    share: QuoteShare
    order: Order | None


def _check_open(share: QuoteShare, quote: Quote) -> None:
    if share.answered_at is not None or quote.status != QuoteStatus.SENT:
        raise ShareGone(_("This quote has already been answered."))
    if share.revoked_at is not None:
        raise ShareGone(_("This link was withdrawn. Ask your contact for a new one."))
    if share.expires_at <= timezone.now():
        raise ShareGone(_("This link has expired. Ask your contact for a new one."))


def _clean_text(value: str, *, field: str, limit: int, required: bool) -> str:
    text = " ".join(value.split()) if field == "name" else value.strip()
    if required and not text:
        raise ValidationError({field: [_("Type your full name to accept.")]})
    if len(text) > limit:
        raise ValidationError({field: [_("At most %(count)d characters.") % {"count": limit}]})
    check_value(text, field=field)
    return text


def accept_shared_quote(share: QuoteShare, *, name: str, ip_address: str | None) -> Answer:
    """The customer accepts: the quote becomes accepted and its order is made."""
    name = _clean_text(name, field="name", limit=NAME_MAX_LENGTH, required=True)
    with transaction.atomic():
        share = QuoteShare.objects.select_for_update().get(pk=share.pk)
        quote = Quote.objects.select_for_update().get(pk=share.quote_id)
        _check_open(share, quote)
        _set_status(quote, QuoteStatus.ACCEPTED)
        _answer(share, QuoteAnswer.ACCEPTED, name=name, reason="", ip_address=ip_address)
        order = create_order_from_quote(quote, by=None)
        _record(quote, share, "accepted_online", order=order)
        _notify(quote, share, order)
    return Answer(share, order)


def decline_shared_quote(share: QuoteShare, *, reason: str, ip_address: str | None) -> Answer:
    """The customer declines, optionally saying why."""
    reason = _clean_text(reason, field="reason", limit=REASON_MAX_LENGTH, required=False)
    with transaction.atomic():
        share = QuoteShare.objects.select_for_update().get(pk=share.pk)
        quote = Quote.objects.select_for_update().get(pk=share.quote_id)
        _check_open(share, quote)
        _set_status(quote, QuoteStatus.DECLINED)
        _answer(share, QuoteAnswer.DECLINED, name="", reason=reason, ip_address=ip_address)
        _record(quote, share, "declined_online", order=None)
        _notify(quote, share, None)
    return Answer(share, None)


def _set_status(quote: Quote, status: str) -> None:
    """The status change itself; the caller's own timeline entry tells it (one entry per event)."""
    if status not in TRANSITIONS.get(quote.status, ()):
        raise ShareGone(_("This quote has already been answered."))
    quote.status = status
    quote.save(update_fields=["status", "updated_at"])


def _answer(share: QuoteShare, answer: str, *, name: str, reason: str, ip_address: str | None) -> None:
    share.answer, share.answered_at = answer, timezone.now()
    share.answered_by_name, share.answer_reason, share.answered_ip = name, reason, ip_address or None
    share.save(update_fields=["answer", "answered_at", "answered_by_name", "answer_reason", "answered_ip"])


def _record(quote: Quote, share: QuoteShare, action: str, *, order: Order | None) -> None:
    data = {
        "number": quote.number,
        "answered_by_name": share.answered_by_name,
        "reason": share.answer_reason,
        "ip_address": share.answered_ip or "",
        "answered_at": share.answered_at.isoformat() if share.answered_at else "",
        "share_id": share.pk,
    }
    if order is not None:
        data["order_id"] = order.pk
    _timeline(quote, share, action)
    emit("quote.accepted" if action == "accepted_online" else "quote.declined", quote, entity="quote", data=data)


def _timeline(quote: Quote, share: QuoteShare | None, action: str, *, by_user: User | None = None) -> None:
    data: dict[str, object] = {
        "action": action,
        "quote": quote.pk,
        "number": quote.number,
        "status": quote.status,
        "total": str(quote.total),
        "currency": quote.currency,
    }
    if share is not None:
        data.update(
            answered_by_name=share.answered_by_name,
            reason=share.answer_reason,
            ip_address=share.answered_ip or "",
        )
    record_entry(
        TimelineKind.QUOTE, actor=by_user, data=data, deal=quote.deal, company=quote.company, contact=quote.contact
    )


def _notify(quote: Quote, share: QuoteShare, order: Order | None) -> None:
    if quote.owner_id is None:
        return
    entity: str
    record_id: int | None
    if order is not None:
        title = _("%(name)s accepted quote %(number)s; order %(order)s is created.") % {
            "name": share.answered_by_name, "number": quote.number, "order": order.number,
        }  # fmt: skip
        entity, record_id = "order", order.pk
    else:
        title = _("Quote %(number)s was declined.") % {"number": quote.number}
        entity, record_id = ("deal", quote.deal_id) if quote.deal_id else ("", None)
    Notification.objects.create(
        recipient_id=quote.owner_id,
        kind=NotificationKind.QUOTE_ANSWERED,
        entity=entity,
        record_id=record_id,
        title=title[:255],
        dedupe_key=f"quote-answered:{share.pk}",
    )


@dataclass(frozen=True)
class SharingState:
    """What the quote page says about sharing: the working link, the last answer, whether a link
    can be made now."""

    active: QuoteShare | None
    answered: QuoteShare | None
    can_share: bool


def sharing_state(quote: Quote) -> SharingState:
    shares = list(QuoteShare.objects.filter(quote=quote).order_by("-created_at", "-id")[:20])
    now = timezone.now()
    active = next((s for s in shares if s.revoked_at is None and s.answered_at is None and s.expires_at > now), None)
    answered = next((s for s in shares if s.answered_at is not None), None)
    return SharingState(active, answered, quote.status in (QuoteStatus.DRAFT, QuoteStatus.SENT))
