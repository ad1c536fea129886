"""The survey records the page and API sweeps walk: an open survey with a question of each kind,
an answer, a saved list view and a personal link that works."""

from __future__ import annotations

from typing import Any

from modules.contacts.models import Contact, SavedView
from modules.marketing.surveys import tokens
from modules.marketing.surveys.choices import QuestionKind, ShareMode, SurveyKind, SurveyStatus
from modules.marketing.surveys.models import Invitation, Response, Survey
from modules.marketing.surveys.services.answers import submit
from modules.marketing.surveys.services.surveys import create_survey

# The personal link's random part, so the public page is walked with a link that works.
SWEEP_SECRET = "isweep-survey-link"


class _Form(dict[str, Any]):
    def getlist(self, key: str) -> list[Any]:
        value = self.get(key)
        return value if isinstance(value, list) else [] if value is None else [value]


def survey_objects(admin: Any, contact: Any) -> dict[str, str]:
    survey = create_survey(
        by=admin, name="Pages NPS", kind=SurveyKind.NPS, status=SurveyStatus.OPEN, share_mode=ShareMode.ANONYMOUS,
        questions=[
            {"kind": QuestionKind.NPS, "label": "Recommend us?", "required": True},
            {"kind": QuestionKind.SINGLE, "label": "Plan?", "choices": ["Basic", "Pro"]},
            {"kind": QuestionKind.LONG_TEXT, "label": "Why?"},
        ],
    )  # fmt: skip
    Invitation.objects.create(
        survey=survey, contact=contact, email=contact.email or "sweep@example.test",
        token_hash=tokens.hash_secret(SWEEP_SECRET),
    )  # fmt: skip
    token = tokens.sign(SWEEP_SECRET)
    nps, plan, why = survey.questions.order_by("position")
    submit(token, _Form({f"q{nps.pk}": "9", f"q{plan.pk}": "Pro", f"q{why.pk}": "Quick"}))
    view = SavedView.objects.create(owner=admin, entity="survey", name="Mine", query={})
    return {
        "survey": str(survey.pk),
        "survey_question": str(why.pk),
        "survey_view": str(view.pk),
        "survey_response": str(survey.responses.get().pk),
        "survey_token": token,
    }


def survey_records(admin: Any) -> list[Any]:
    """A survey, its question and an invitation carrying its link's secret (``public_token``), for
    the plan-gate sweep (a row is enough: the gate answers before the link is read)."""
    survey = create_survey(
        by=admin, name="Plan gate survey", kind=SurveyKind.NPS, status=SurveyStatus.OPEN,
        questions=[{"kind": QuestionKind.LONG_TEXT, "label": "Why?"}],
    )  # fmt: skip
    contact = Contact.objects.create(first_name="Plan", last_name="Gate", email="plan-gate-survey@example.test")
    invitation = Invitation.objects.create(
        survey=survey, contact=contact, email=contact.email, token_hash=tokens.hash_secret("iplan-gate")
    )
    invitation.public_token = tokens.sign("iplan-gate")  # type: ignore[attr-defined]
    response = Response.objects.create(survey=survey, contact=contact, submitted_at=survey.created_at)
    return [survey, survey.questions.get(), invitation, response]


def survey_and_response(admin: Any) -> list[Any]:
    """A survey and an answered response, for the API sweeps."""
    contact = Contact.objects.create(first_name="Sweep", last_name="Answer", email="sweep-answer@example.test")
    objects = survey_objects(admin, contact)
    survey = Survey.objects.get(pk=objects["survey"])
    return [survey, survey.responses.get()]
