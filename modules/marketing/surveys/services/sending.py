"""Asking contacts to answer: invitations to a segment's contacts or to chosen contacts, e-mailed
by a Celery task with a personal link each.

Recipients are read through ``modules.marketing.selectors.audience.without_suppressed`` (an
address on the suppression list is never written to, checked again when the e-mail goes out);
each message carries the one-click unsubscribe headers (RFC 8058) and leaves through the tenant's
marketing sending settings.
Each contact is invited once per survey (a unique row per survey and contact); the task sends an
invitation under a row lock and stamps ``sent_at`` in the same transaction, so a retried or
redelivered task sends nothing twice."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from identity.models import User
from modules.contacts.models import Contact
from modules.marketing.consent.links import list_unsubscribe_headers
from modules.marketing.email.sending import outgoing_connection as marketing_connection
from modules.marketing.models import Segment
from modules.marketing.selectors.audience import is_suppressed, segment_contacts, without_suppressed
from modules.marketing.surveys import tokens
from modules.marketing.surveys.choices import SurveyStatus
from modules.marketing.surveys.links import tenant_link
from modules.marketing.surveys.models import Invitation, Survey

MAX_CHOSEN_CONTACTS = 1000


def outgoing_connection() -> BaseEmailBackend:
    """The connection survey e-mails leave through: the tenant's marketing sending settings (its
    SMTP server or e-mail service, else the platform's mail)."""
    return marketing_connection()


def _check_sendable(survey: Survey) -> None:
    if survey.status != SurveyStatus.OPEN:
        raise ValidationError({"status": [_("Open the survey before sending it.")]})
    if not survey.questions.exists():
        raise ValidationError({"questions": [_("Add a question before sending the survey.")]})


def invite(survey: Survey, contacts: QuerySet[Contact], *, by: User | None) -> int:
    """Invite ``contacts`` (less those without an address or suppressed, and those already
    invited); the e-mails go out after the commit. Returns how many were newly invited."""
    _check_sendable(survey)
    recipients = list(without_suppressed(contacts).order_by("pk").values_list("pk", "email"))
    with transaction.atomic():
        before = Invitation.objects.filter(survey=survey).count()
        Invitation.objects.bulk_create(
            [Invitation(survey=survey, contact_id=pk, email=email) for pk, email in recipients],
            ignore_conflicts=True,
            batch_size=1000,
        )
        added = Invitation.objects.filter(survey=survey).count() - before
        from modules.marketing.surveys.tasks import send_invitations

        survey_id = survey.pk
        transaction.on_commit(lambda: send_invitations.delay(survey_id))
    return added


def invite_segment(survey: Survey, segment: Segment, *, by: User | None) -> int:
    return invite(survey, segment_contacts(segment), by=by)


def invite_contacts(survey: Survey, contact_ids: list[int], *, by: User | None) -> int:
    if not contact_ids:
        raise ValidationError({"contacts": [_("Choose at least one contact.")]})
    if len(contact_ids) > MAX_CHOSEN_CONTACTS:
        raise ValidationError(
            {
                "contacts": [
                    _("Choose at most %(count)d contacts; use a segment for more.") % {"count": MAX_CHOSEN_CONTACTS}
                ]
            }
        )
    return invite(survey, Contact.objects.filter(pk__in=contact_ids), by=by)


def unsent_invitations(survey_id: int) -> list[int]:
    return list(
        Invitation.objects.filter(survey_id=survey_id, sent_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    )


def _message(invitation: Invitation, token: str) -> EmailMultiAlternatives:
    survey = invitation.survey
    context: dict[str, Any] = {
        "survey": survey,
        "contact": invitation.contact,
        "link": tenant_link("survey-public:page", token),
    }
    with translation.override(survey.language):
        subject = survey.email_subject or _("A few questions from us: %(name)s") % {"name": survey.name}
        text = render_to_string("marketing_surveys/email/invitation.txt", context)
        html = render_to_string("marketing_surveys/email/invitation.html", context)
    host = getattr(getattr(db_connection, "tenant", None), "primary_host", "")
    headers = list_unsubscribe_headers(invitation.contact, request_host=host, email=invitation.email)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[invitation.email], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def send_invitation(invitation_id: int, *, connection: BaseEmailBackend | None = None) -> str:
    """E-mail one invitation with a new personal link (once: ``sent_at`` is stamped in the same
    transaction). A survey no longer open, or an address suppressed meanwhile, sends nothing."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("survey", "contact")
            .filter(pk=invitation_id, sent_at__isnull=True)
            .first()
        )
        if invitation is None:
            return "nothing-to-do"
        if invitation.survey.status != SurveyStatus.OPEN:
            return "closed"
        if not invitation.email or is_suppressed(invitation.email):
            return "suppressed"
        raw = tokens.new_secret(tokens.PERSONAL)
        invitation.token_hash = tokens.hash_secret(raw)
        message = _message(invitation, tokens.sign(raw))
        message.connection = connection or outgoing_connection()
        message.send()
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["token_hash", "sent_at"])
    return "sent"


def send_pending(survey_id: int) -> dict[str, int]:
    """Send every invitation of the survey not sent yet, over one connection; how many of each outcome."""
    outcomes: dict[str, int] = {}
    connection = outgoing_connection()
    with connection:
        for invitation_id in unsent_invitations(survey_id):
            outcome = send_invitation(invitation_id, connection=connection)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
