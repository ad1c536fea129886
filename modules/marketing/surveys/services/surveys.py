"""Writing surveys and their questions: the only writers (pages, REST and GraphQL call these).
Every error names its field (``questions[2].choices``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from identity.models import User
from modules.contacts.services.records import validated
from modules.marketing.surveys import tokens
from modules.marketing.surveys.choices import CHOICE_KINDS, QuestionKind, ShareMode, SurveyKind
from modules.marketing.surveys.models import Question, Survey

SURVEY_FIELDS = frozenset(
    {"name", "kind", "status", "language", "intro", "thank_you", "email_subject", "campaign", "share_mode",
     "open_case_for_detractors"}
)  # fmt: skip
MAX_QUESTIONS = 50
MAX_CHOICES = 30
MAX_CHOICE_LENGTH = 200
# The first question a new survey of a kind starts with.
STARTER_QUESTIONS: dict[str, str] = {
    SurveyKind.NPS: QuestionKind.NPS,
    SurveyKind.CSAT: QuestionKind.CSAT,
}


def _check_names(values: dict[str, Any]) -> None:
    unknown = set(values) - SURVEY_FIELDS
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in sorted(unknown)})


def create_survey(*, by: User | None, questions: list[dict[str, Any]] | None = None, **values: Any) -> Survey:
    """A new draft survey. An NPS or CSAT survey without questions given starts with its scored
    question, labelled in the survey's language."""
    _check_names(values)
    survey = validated(Survey(created_by=by, **values))
    with transaction.atomic():
        survey.save()
        if questions is None and survey.kind in STARTER_QUESTIONS:
            questions = [{"kind": STARTER_QUESTIONS[survey.kind], "label": _starter_label(survey), "required": True}]
        if questions:
            set_questions(survey, questions, by=by)
    return survey


def _starter_label(survey: Survey) -> str:
    with translation.override(survey.language):
        if survey.kind == SurveyKind.NPS:
            return _("How likely are you to recommend us to a friend or colleague?")
        return _("How satisfied are you with us?")


def update_survey(survey: Survey, *, by: User | None, **values: Any) -> Survey:
    _check_names(values)
    for name, value in values.items():
        setattr(survey, name, value)
    validated(survey)
    with transaction.atomic():
        survey.save()
    return survey


def save_survey(survey: Survey | None, *, by: User | None, questions: Any = None, **values: Any) -> Survey:
    """Create or change a survey and its questions together (the builder's one form): all or nothing."""
    with transaction.atomic():
        if survey is None:
            return create_survey(by=by, questions=questions, **values)
        update_survey(survey, by=by, **values)
        if questions is not None:
            set_questions(survey, questions, by=by)
    return survey


def delete_survey(survey: Survey, *, by: User | None) -> None:
    with transaction.atomic():
        survey.delete()


def _clean_question(raw: Any, path: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValidationError({path: [_("A question needs a kind and a label.")]})
    kind = raw.get("kind")
    if kind not in QuestionKind.values:
        raise ValidationError({f"{path}.kind": [_("Choose a kind of question.")]})
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        raise ValidationError({f"{path}.label": [_("Write the question.")]})
    choices = raw.get("choices") or []
    if kind in CHOICE_KINDS:
        if not isinstance(choices, list) or not all(isinstance(choice, str) for choice in choices):
            raise ValidationError({f"{path}.choices": [_("Give the choices as a list of texts.")]})
        choices = [" ".join(choice.split()) for choice in choices if choice.strip()]
        if len(choices) < 2:
            raise ValidationError({f"{path}.choices": [_("Give at least two choices.")]})
        if len(choices) > MAX_CHOICES or any(len(choice) > MAX_CHOICE_LENGTH for choice in choices):
            raise ValidationError(
                {f"{path}.choices": [_("At most %(count)d choices of %(length)d characters each.")
                                     % {"count": MAX_CHOICES, "length": MAX_CHOICE_LENGTH}]}
            )  # fmt: skip
        if len(set(choices)) != len(choices):
            raise ValidationError({f"{path}.choices": [_("Each choice must differ from the others.")]})
    else:
        choices = []
    question = Question(kind=kind, label=label.strip(), required=bool(raw.get("required")), choices=choices, position=0)
    try:
        validated(question, exclude=["survey"])
    except ValidationError as error:
        raise ValidationError({f"{path}.{name}": problems for name, problems in error.message_dict.items()}) from None
    pk = raw.get("id")
    return {"id": pk if isinstance(pk, int) and not isinstance(pk, bool) else None, "question": question}


def set_questions(survey: Survey, raw_questions: Any, *, by: User | None) -> list[Question]:
    """Make the survey's questions ``raw_questions`` (in that order): a question given with the
    ``id`` of one of the survey's questions keeps it (and its answers), one without is added,
    and the survey's questions not given are deleted with their answers."""
    if not isinstance(raw_questions, list):
        raise ValidationError({"questions": [_("Give the questions as a list.")]})
    if len(raw_questions) > MAX_QUESTIONS:
        raise ValidationError(
            {"questions": [_("A survey has at most %(count)d questions.") % {"count": MAX_QUESTIONS}]}
        )
    cleaned = [_clean_question(raw, f"questions[{index}]") for index, raw in enumerate(raw_questions)]
    with transaction.atomic():
        existing = {question.pk: question for question in Question.objects.select_for_update().filter(survey=survey)}
        kept: list[Question] = []
        for position, item in enumerate(cleaned):
            question = existing.pop(item["id"], None) if item["id"] is not None else None
            new = item["question"]
            if question is None:
                new.survey, new.position = survey, position
                new.save()
                kept.append(new)
                continue
            question.kind, question.label, question.required = new.kind, new.label, new.required
            question.choices, question.position = new.choices, position
            question.save(update_fields=["kind", "label", "required", "choices", "position"])
            kept.append(question)
        Question.objects.filter(pk__in=list(existing)).delete()
        Survey.objects.filter(pk=survey.pk).update(updated_at=timezone.now())
    return kept


def new_share_link(survey: Survey, *, by: User | None) -> str:
    """A new shareable link's token for the survey (shown once: only its hash is kept, and the
    previous link stops working)."""
    if survey.share_mode == ShareMode.OFF:
        raise ValidationError({"share_mode": [_("Allow a shareable link first.")]})
    raw = tokens.new_secret(tokens.SHARED)
    with transaction.atomic():
        Survey.objects.filter(pk=survey.pk).update(share_token_hash=tokens.hash_secret(raw))
    survey.share_token_hash = tokens.hash_secret(raw)
    return tokens.sign(raw)
