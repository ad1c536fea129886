"""Customer satisfaction: when a case is solved its customer is asked, by e-mail, for a rating (1–5)
and a comment on a public page (``views.csat_public``) reached by a link that is:

- unguessable: 32 random bytes, of which only the SHA-256 is stored;
- signed: Django's ``TimestampSigner`` over the random part with a salt naming the tenant's schema,
  so a forged or altered link, or one of another workspace, is refused before any query;
- expiring: ``EXPIRY`` after it was made (by the signature's time and ``expires_at``);
- single-use: answered once, then the page says so.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.input_bounds import check_value
from identity.models import User
from identity.services.audit import audit
from modules.service.choices import StatusCategory
from modules.service.contact_centre.language import customer_language
from modules.service.contact_centre.links import tenant_link
from modules.service.contact_centre.models import CsatSettings, CsatSurvey
from modules.service.hooks import CaseChange

EXPIRY = timedelta(days=14)
COMMENT_MAX_LENGTH = 2000


class SurveyUnavailable(Exception):
    """The link is valid but cannot be answered any more: ``reason`` is "used" or "expired"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"service.csat:{getattr(connection, 'schema_name', '')}")


def signed_token(raw: str) -> str:
    """The link's token for the random part ``raw`` (signed for this workspace, timestamped)."""
    return _signer().sign(raw)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _is_solved_now(case: Any, change: CaseChange) -> bool:
    return (
        change.action in ("status_changed", "message")
        and case.status.category == StatusCategory.SOLVED
        and change.previous_category != StatusCategory.SOLVED
    )


def csat_enabled() -> bool:
    row = CsatSettings.objects.first()
    return row is None or row.enabled


def set_csat_enabled(enabled: bool, *, by: User | None) -> CsatSettings:
    """Switch asking for CSAT on or off for the workspace (audited)."""
    with transaction.atomic():
        row = CsatSettings.objects.select_for_update().first() or CsatSettings()
        row.enabled = enabled
        row.save()
        message = (
            _("Customers are asked for a rating when a case is solved.")
            if enabled
            else _("Customers are no longer asked for a rating when a case is solved.")
        )
        audit("csat.switched_on" if enabled else "csat.switched_off", message, by=by, target="csat")
    return row


def ask_when_solved(case: Any, change: CaseChange) -> CsatSurvey | None:
    """A survey for a case that has just been solved and whose contact has an e-mail address,
    e-mailed after the commit, unless the workspace switched CSAT off. A case solved again after
    being reopened is asked again."""
    if not _is_solved_now(case, change) or case.contact_id is None or not case.contact.email:
        return None
    if not csat_enabled():
        return None
    raw = secrets.token_urlsafe(32)
    survey = CsatSurvey.objects.create(
        case=case, contact=case.contact, agent_id=case.owner_id, team_id=case.team_id, email=case.contact.email,
        token_hash=hash_token(raw), expires_at=timezone.now() + EXPIRY,
    )  # fmt: skip
    token = signed_token(raw)
    from modules.service.contact_centre.tasks import send_csat_email

    transaction.on_commit(lambda: send_csat_email.delay(survey.pk, token))
    return survey


def send_survey(survey_id: int, token: str) -> str:
    with transaction.atomic():
        survey = (
            CsatSurvey.objects.select_for_update(of=("self",))
            .select_related("case", "contact")
            .filter(pk=survey_id)
            .first()
        )
        if survey is None or survey.sent_at is not None or survey.answered_at is not None:
            return "nothing-to-do"
        with translation.override(customer_language(survey.case)):
            context = {"survey": survey, "case": survey.case, "link": tenant_link("csat-public:page", token)}
            send_mail(
                subject=_("How did we do? Your request %(number)s") % {"number": survey.case.number},
                message=render_to_string("service_contact_centre/email/csat.txt", context),
                from_email=None,
                recipient_list=[survey.email],
            )
        survey.sent_at = timezone.now()
        survey.save(update_fields=["sent_at"])
    return "sent"


def resolve(token: str) -> CsatSurvey | None:
    """The survey of a link (None: forged, altered, of another workspace, or unknown). Raises
    ``SurveyUnavailable`` for a link already answered or expired."""
    if len(token) > 200:
        return None
    try:
        raw = _signer().unsign(token, max_age=EXPIRY)
    except signing.SignatureExpired:
        raise SurveyUnavailable("expired") from None
    except signing.BadSignature:
        return None
    survey = CsatSurvey.objects.select_related("case").filter(token_hash=hash_token(raw)).first()
    if survey is None:
        return None
    if survey.answered_at is not None:
        raise SurveyUnavailable("used")
    if survey.expires_at <= timezone.now():
        raise SurveyUnavailable("expired")
    return survey


def answer_survey(token: str, *, rating: Any, comment: str) -> CsatSurvey:
    """Store the customer's answer once. Errors name the field (``rating``, ``comment``)."""
    try:
        value = int(rating)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationError({"rating": [_("Choose a rating from 1 to 5.")]})
    comment = (comment or "").strip()
    check_value(comment, field="comment")
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"comment": [_("Keep the comment under %(max)d characters.") % {"max": COMMENT_MAX_LENGTH}]}
        )
    with transaction.atomic():
        survey = resolve(token)
        if survey is None:
            raise SurveyUnavailable("unknown")
        locked = CsatSurvey.objects.select_for_update().get(pk=survey.pk)
        if locked.answered_at is not None:  # answered in another tab meanwhile
            raise SurveyUnavailable("used")
        locked.rating, locked.comment, locked.answered_at = value, comment, timezone.now()
        locked.save(update_fields=["rating", "comment", "answered_at"])
    return locked
