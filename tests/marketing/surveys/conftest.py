"""Survey test helpers: a survey with every kind of question, and its links."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail

from modules.contacts.models import Contact
from modules.marketing.surveys import tokens
from modules.marketing.surveys.choices import QuestionKind, SurveyKind, SurveyStatus
from modules.marketing.surveys.models import Invitation, Survey
from modules.marketing.surveys.services.surveys import create_survey
from tests.mail_server import smtp_server  # noqa: F401 - a fixture of these tests
from tests.tenancy import TenantFixture

QUESTIONS = [
    {"kind": QuestionKind.NPS, "label": "How likely are you to recommend us?", "required": True},
    {"kind": QuestionKind.SINGLE, "label": "Which plan do you use?", "choices": ["Basic", "Pro"]},
    {"kind": QuestionKind.MULTIPLE, "label": "What do you use?", "choices": ["Mail", "Deals", "Cases"]},
    {"kind": QuestionKind.LONG_TEXT, "label": "What should we improve?"},
]


def make_survey(alpha: TenantFixture, **values: Any) -> Survey:
    """An open NPS survey with the questions above (in the tenant's schema: call inside ``active``)."""
    values.setdefault("name", "Quarterly NPS")
    values.setdefault("kind", SurveyKind.NPS)
    values.setdefault("status", SurveyStatus.OPEN)
    questions = values.pop("questions", QUESTIONS)
    return create_survey(by=alpha.user(), questions=questions, **values)


def personal_token(survey: Survey, contact: Contact) -> str:
    """A personal link's token for the contact, as the invitation e-mail would carry it."""
    raw = tokens.new_secret(tokens.PERSONAL)
    Invitation.objects.update_or_create(
        survey=survey, contact=contact, defaults={"email": contact.email, "token_hash": tokens.hash_secret(raw)}
    )
    return tokens.sign(raw)


def fields(survey: Survey, *answers: Any) -> dict[str, Any]:
    """Form data answering the survey's questions in order (None: left blank)."""
    data: dict[str, Any] = {}
    for question, answer in zip(survey.questions.order_by("position", "id"), answers, strict=False):
        if answer is not None:
            data[f"q{question.pk}"] = answer
    return data


def link_paths(messages: list[Any]) -> list[str]:
    paths = []
    for message in messages:
        body = (
            message.get_body(preferencelist=("plain",)).get_content() if hasattr(message, "get_body") else message.body
        )
        found = re.search(r"https?://[^/\s]+(/s/[^\s]+/)", body)
        assert found is not None, body
        paths.append(found.group(1))
    return paths


def outbox_paths() -> list[str]:
    return link_paths(list(mail.outbox))
