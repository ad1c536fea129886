"""Answering a survey through its link: reading the answers (errors name the question), and in one
transaction the response and its answers, the invitation's answered time, and for a known contact
a ``survey_answered`` timeline entry, their latest NPS (``ContactNps``), the outbox event
``survey.answered`` (entity contact) and, for a detractor of a survey set so, a service case.

Answering again through the same personal link changes the same response (its answers are
replaced and ``submitted_at`` moves to the new answer); every shareable-link answer is a response
of its own, since nothing tells two visitors apart."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.input_bounds import text_problem
from customization.events.outbox import emit
from modules.contacts.choices import TimelineKind
from modules.contacts.models import Contact
from modules.contacts.services.timeline import record_entry
from modules.marketing.surveys import tokens
from modules.marketing.surveys.choices import (
    CHOICE_KINDS,
    SCALES,
    SCORED_KINDS,
    NpsCategory,
    QuestionKind,
    ShareMode,
    SurveyStatus,
    nps_category,
)
from modules.marketing.surveys.models import Answer, ContactNps, Invitation, Question, Response, Survey
from modules.registry import is_enabled

logger = logging.getLogger(__name__)

SHORT_TEXT_MAX = 500
LONG_TEXT_MAX = 5000
EMAIL_FIELD = "email"


class SurveyClosed(Exception):
    """The link is valid but the survey takes no answers (a draft or a closed survey)."""


class Answers(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...
    def getlist(self, key: str) -> list[Any]: ...


@dataclass(frozen=True)
class SurveyLink:
    """What a link opens: a survey, through a personal invitation or its shareable link."""

    survey: Survey
    invitation: Invitation | None

    @property
    def asks_email(self) -> bool:
        return self.invitation is None and self.survey.share_mode == ShareMode.EMAIL


def resolve(token: str) -> SurveyLink | None:
    """The survey a link opens (None: forged, altered, of another workspace, replaced or unknown).
    The signature is checked before any query."""
    parsed = tokens.unsign(token)
    if parsed is None:
        return None
    kind, digest = parsed
    if kind == tokens.PERSONAL:
        invitation = Invitation.objects.select_related("survey", "contact").filter(token_hash=digest).first()
        return SurveyLink(invitation.survey, invitation) if invitation is not None else None
    survey = Survey.objects.filter(share_token_hash=digest).exclude(share_mode=ShareMode.OFF).first()
    return SurveyLink(survey, None) if survey is not None else None


def mark_opened(link: SurveyLink) -> None:
    if link.invitation is not None and link.invitation.opened_at is None:
        Invitation.objects.filter(pk=link.invitation.pk, opened_at__isnull=True).update(opened_at=timezone.now())


def field_name(question: Question) -> str:
    return f"q{question.pk}"


def _problem(question: Question, message: str) -> ValidationError:
    return ValidationError({field_name(question): [f"“{question.label}”: {message}"]})


def _scale(question: Question, raw: Any) -> int | None:
    low, high = SCALES[QuestionKind(question.kind)]
    text = str(raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        raise _problem(question, _("choose a number from %(low)d to %(high)d.") % {"low": low, "high": high})
    return int(text)


def _text(question: Question, raw: Any) -> str:
    text = str(raw or "").strip()
    problem = text_problem(text)
    if problem:
        raise _problem(question, problem)
    limit = SHORT_TEXT_MAX if question.kind == QuestionKind.SHORT_TEXT else LONG_TEXT_MAX
    if len(text) > limit:
        raise _problem(question, _("keep the answer under %(max)d characters.") % {"max": limit})
    return text


def _choices(question: Question, values: list[Any]) -> list[str]:
    chosen = [str(value) for value in values if str(value)]
    if any(value not in question.choices for value in chosen):
        raise _problem(question, _("choose among the choices given."))
    if question.kind == QuestionKind.SINGLE and len(chosen) > 1:
        raise _problem(question, _("choose one answer."))
    return [choice for choice in question.choices if choice in chosen]


def read_answers(questions: list[Question], data: Answers) -> list[Answer]:
    """The answers in ``data`` (``q<pk>`` per question), unsaved; every problem at once, each
    naming its question."""
    answers: list[Answer] = []
    errors: dict[str, list[str]] = {}
    for question in questions:
        try:
            answer = Answer(question=question)
            if question.kind in SCALES:
                answer.number = _scale(question, data.get(field_name(question)))
                empty = answer.number is None
            elif question.kind in CHOICE_KINDS:
                answer.choices = _choices(question, data.getlist(field_name(question)))
                empty = not answer.choices
            else:
                answer.text = _text(question, data.get(field_name(question)))
                empty = not answer.text
            if empty and question.required:
                raise _problem(question, _("this question needs an answer."))
        except ValidationError as error:
            errors.update(error.message_dict)
            continue
        if not empty:
            answers.append(answer)
    if errors:
        raise ValidationError(errors)
    return answers


def _email(data: Answers) -> str:
    from django.core.validators import validate_email

    address = str(data.get(EMAIL_FIELD) or "").strip()
    if not address or len(address) > 254 or text_problem(address):
        raise ValidationError({EMAIL_FIELD: [_("Enter your e-mail address.")]})
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({EMAIL_FIELD: [_("Enter a valid e-mail address.")]}) from None
    return address.lower()


def _score(answers: list[Answer]) -> tuple[int | None, str]:
    """The response's score: its first NPS or CSAT answer; the NPS band for an NPS answer."""
    for answer in sorted(answers, key=lambda item: (item.question.position, item.question.pk)):
        if answer.question.kind in SCORED_KINDS and answer.number is not None:
            category = nps_category(answer.number) if answer.question.kind == QuestionKind.NPS else ""
            return answer.number, category
    return None, ""


def submit(token: str, data: Answers) -> Response:
    """Store the answers given through the link ``token``. ``ValidationError`` names the
    questions (``q<pk>``) or ``email``; ``SurveyClosed`` when the survey takes no answers;
    ``LookupError`` for a link that opens nothing."""
    link = resolve(token)
    if link is None:
        raise LookupError(token)
    survey = link.survey
    questions = list(survey.questions.order_by("position", "id"))
    answers = read_answers(questions, data)
    email = _email(data) if link.asks_email else ""
    with transaction.atomic():
        if Survey.objects.filter(pk=survey.pk, status=SurveyStatus.OPEN).select_for_update().first() is None:
            raise SurveyClosed(survey.pk)
        now = timezone.now()
        contact = _contact_of(link, email)
        response = _response(link, contact, email, now)
        response.score, response.category = _score(answers)
        Answer.objects.filter(response=response).delete()
        for answer in answers:
            answer.response = response
        Answer.objects.bulk_create(answers)
        if link.invitation is not None:
            Invitation.objects.filter(pk=link.invitation.pk).update(answered_at=now)
        if contact is not None:
            _on_contact_answer(survey, response, contact, now)
        response.save()
    return response


def _contact_of(link: SurveyLink, email: str) -> Contact | None:
    if link.invitation is not None:
        return link.invitation.contact
    if email:
        # The shareable link asked who answers: the workspace's contact with that address, if any.
        return Contact.objects.filter(email__iexact=email).order_by("pk").first()
    return None


def _response(link: SurveyLink, contact: Contact | None, email: str, now: Any) -> Response:
    if link.invitation is not None:
        response = Response.objects.select_for_update().filter(invitation=link.invitation).first()
        if response is not None:
            response.submitted_at = now
            return response
        email = link.invitation.email
    return Response.objects.create(
        survey=link.survey, invitation=link.invitation, contact=contact, email=email, submitted_at=now
    )


def _on_contact_answer(survey: Survey, response: Response, contact: Contact, now: Any) -> None:
    data: dict[str, Any] = {"survey": survey.pk, "name": survey.name, "response": response.pk}
    if response.score is not None:
        data["score"] = response.score
    if response.category and response.score is not None:
        data["category"] = response.category
        ContactNps.objects.update_or_create(
            contact=contact,
            defaults={"score": response.score, "category": response.category, "survey": survey,
                      "response": response, "answered_at": now},
        )  # fmt: skip
    record_entry(TimelineKind.SURVEY_ANSWERED, actor=None, data=data, contact_id=contact.pk,
                 company_id=contact.company_id)  # fmt: skip
    emit(
        "survey.answered", contact, entity="contact",
        data={"id": survey.pk, "response": response.pk, "score": response.score, "category": response.category},
    )  # fmt: skip
    if (
        survey.open_case_for_detractors
        and response.category == NpsCategory.DETRACTOR
        and not response.case_number
        and is_enabled(getattr(connection, "tenant", None), "service")
    ):
        response.case_number = _open_case(survey, response, contact)


def _open_case(survey: Survey, response: Response, contact: Contact) -> str:
    """A case for a detractor's answer, through the service module's own service. A case the
    service refuses leaves the answer stored (a savepoint) and is logged."""
    from modules.marketing.surveys.services.cases import open_detractor_case

    try:
        with transaction.atomic():
            return open_detractor_case(survey, response, contact)
    except ValidationError as error:
        logger.warning("survey %s: no case for detractor response %s: %s", survey.pk, response.pk, error.messages)
        return ""
