"""The suppression list's writers: an address unsubscribed from everything, bounced hard,
complained, or was added by hand. Suppressing also withdraws every topic of the contacts with
that address; the row is kept when a contact is deleted (the address stays suppressed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from core.input_bounds import text_problem
from identity.services.audit import audit
from modules.contacts.models import Contact
from modules.marketing.choices import SuppressionReason
from modules.marketing.consent.choices import ConsentAction, ConsentSource
from modules.marketing.consent.services.consent import withdraw_everything
from modules.marketing.consent.services.records import clean_proof, log_event
from modules.marketing.models import Suppression

if TYPE_CHECKING:
    from identity.models import User

SOURCE_MAX = 200
DETAIL_MAX = 2000
# The consent source a suppression's history entry names when the caller gave free text.
REASON_SOURCES = {
    SuppressionReason.UNSUBSCRIBED: ConsentSource.UNSUBSCRIBE_LINK,
    SuppressionReason.HARD_BOUNCE: ConsentSource.BOUNCE,
    SuppressionReason.COMPLAINT: ConsentSource.COMPLAINT,
    SuppressionReason.MANUAL: ConsentSource.STAFF,
}


def clean_address(email: str, *, field: str = "email") -> str:
    address = (email or "").strip().lower()
    problem = text_problem(address)
    if problem:
        raise ValidationError({field: [problem]})
    if not address or len(address) > 254:
        raise ValidationError({field: [_("Enter a valid e-mail address.")]})
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({field: [_("Enter a valid e-mail address.")]}) from None
    return address


def _text(value: str, *, field: str, limit: int) -> str:
    value = (value or "").strip()
    problem = text_problem(value)
    if problem:
        raise ValidationError({field: [problem]})
    if len(value) > limit:
        raise ValidationError({field: [_("Keep it under %(max)d characters.") % {"max": limit}]})
    return value


def contacts_with_address(address: str) -> QuerySet[Contact]:
    return Contact.objects.annotate(address=Lower("email")).filter(address=address)


def find_suppression(email: str) -> Suppression | None:
    address = (email or "").strip().lower()
    return Suppression.objects.annotate(address=Lower("email")).filter(address=address).first() if address else None


def suppress(
    email: str,
    *,
    reason: str,
    source: str,
    detail: str = "",
    by: User | None = None,
    proof: dict[str, Any] | None = None,
) -> Suppression:
    """Put ``email`` on the suppression list (idempotent) and withdraw every topic of the contacts
    with that address. ``source`` is free text (a ``ConsentSource`` value, "postmark webhook", a
    user's name); a later bounce or complaint replaces an "unsubscribed" reason, so a new consent
    cannot lift it."""
    address = clean_address(email)
    if reason not in SuppressionReason.values:
        raise ValidationError({"reason": [_("Choose a known suppression reason.")]})
    source = _text(source, field="source", limit=SOURCE_MAX)
    detail = _text(detail, field="detail", limit=DETAIL_MAX)
    cleaned = clean_proof(proof)
    history_source = source if source in ConsentSource.values else REASON_SOURCES[SuppressionReason(reason)]
    if source and source != history_source:
        cleaned.setdefault("source", source)
    if detail:
        cleaned.setdefault("detail", detail[:200])
    cleaned.setdefault("reason", reason)
    if by is not None and getattr(by, "pk", None):
        cleaned.setdefault("staff_user", by.pk)
    with transaction.atomic():
        existing = (
            Suppression.objects.select_for_update().annotate(address=Lower("email")).filter(address=address).first()
        )
        if existing is not None:
            if existing.reason == SuppressionReason.UNSUBSCRIBED and reason != SuppressionReason.UNSUBSCRIBED:
                existing.reason, existing.source, existing.detail = reason, source, detail
                existing.save(update_fields=["reason", "source", "detail"])
            return existing
        row = Suppression.objects.create(email=address, reason=reason, source=source, detail=detail)
        for contact in contacts_with_address(address):
            withdraw_everything(contact, source=history_source, proof=cleaned, by=by, action=ConsentAction.SUPPRESSED)
    return row


def unsuppress(email: str, *, by: User | None, note: str = "") -> bool:
    """Take ``email`` off the suppression list (an admin's decision, audited). Topics stay
    withdrawn: the contact has to consent again. False when it was not suppressed."""
    address = clean_address(email)
    note = _text(note, field="note", limit=DETAIL_MAX)
    with transaction.atomic():
        row = Suppression.objects.select_for_update().annotate(address=Lower("email")).filter(address=address).first()
        if row is None:
            return False
        reason = row.reason
        row.delete()
        proof: dict[str, Any] = {"reason": reason, "note": note[:200]}
        if by is not None and getattr(by, "pk", None):
            proof["staff_user"] = by.pk
        for contact in contacts_with_address(address):
            log_event(contact, None, action=ConsentAction.UNSUPPRESSED, source=ConsentSource.STAFF, proof=proof, by=by)
        audit(
            "marketing.unsuppressed",
            _("%(email)s removed from the suppression list (was: %(reason)s)")
            % {"email": address, "reason": SuppressionReason(reason).label},
            by=by, system="marketing", target=f"suppression:{address}", details={"reason": reason, "note": note},
        )  # fmt: skip
    return True


def add_suppression(*, by: User, email: str, reason: str = SuppressionReason.MANUAL, detail: str = "") -> Suppression:
    """An address suppressed by a user (the page, the API), the user's address as its source."""
    return suppress(email, reason=reason, source=by.email, detail=detail, by=by)


def remove_suppression(row: Suppression, *, by: User, note: str = "") -> None:
    """Take ``row``'s address off the list (audited, see ``unsuppress``)."""
    unsuppress(row.email, by=by, note=note)
