"""A survey's public page (``/s/<token>/``): whoever holds a personal or shareable link answers
without signing in, in the survey's language, on a plain form that needs no script. A forged,
altered, replaced or unknown link, one of another workspace, or a workspace without marketing is
a 404 that records nothing; a survey not open a 410; every request counts towards a per-address
limit (as the portal's), so links cannot be guessed at speed."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from identity.client_address import client_address
from modules.marketing.surveys.choices import SCALES, QuestionKind, SurveyStatus
from modules.marketing.surveys.models import Question, Response
from modules.marketing.surveys.services.answers import (
    EMAIL_FIELD,
    SurveyClosed,
    SurveyLink,
    field_name,
    mark_opened,
    resolve,
    submit,
)
from modules.registry import is_enabled

REQUESTS_PER_WINDOW = 60
WINDOW_SECONDS = 900


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _message(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    context = {"title": title, "text": text}
    return _private(render(request, "marketing_surveys/public/message.html", context, status=status))


def _over_limit(request: HttpRequest) -> bool:
    key = f"survey-public:{client_address(request)}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    return int(cache.incr(key)) > REQUESTS_PER_WINDOW


def _not_found(request: HttpRequest) -> HttpResponse:
    return _message(request, 404, _("Link not found"), _("This link is not valid. Check that it was copied whole."))


def _closed(request: HttpRequest) -> HttpResponse:
    return _message(request, 410, _("This survey is closed"), _("It no longer takes answers. Thank you all the same."))


def _current_values(link: SurveyLink) -> dict[str, Any]:
    """The answers already given through a personal link, to show them again."""
    if link.invitation is None:
        return {}
    response = Response.objects.filter(invitation=link.invitation).first()
    if response is None:
        return {}
    values: dict[str, Any] = {}
    for answer in response.answers.all():
        key = f"q{answer.question_id}"
        values[key] = (
            [*answer.choices] if answer.choices else str(answer.number) if answer.number is not None else answer.text
        )
    return values


def _posted_values(questions: list[Question], data: Any) -> dict[str, Any]:
    return {
        field_name(q): data.getlist(field_name(q)) if q.kind == QuestionKind.MULTIPLE else data.get(field_name(q), "")
        for q in questions
    }


def _fields(questions: list[Question], values: dict[str, Any], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    fields = []
    for question in questions:
        name = field_name(question)
        value = values.get(name, [] if question.kind == QuestionKind.MULTIPLE else "")
        if question.kind in SCALES:
            low, high = SCALES[QuestionKind(question.kind)]
            options = [str(number) for number in range(low, high + 1)]
        else:
            options = list(question.choices)
        fields.append({
            "question": question, "name": name, "value": value, "options": options,
            "chosen": value if isinstance(value, list) else [value], "errors": errors.get(name, []),
        })  # fmt: skip
    return fields


@require_http_methods(["GET", "POST"])
def survey_page(request: HttpRequest, token: str) -> HttpResponse:
    if _over_limit(request):
        return _message(request, 429, _("Too many attempts"), _("Wait a few minutes and try again."))
    if not is_enabled(getattr(request, "tenant", None), "marketing"):
        return _not_found(request)
    link = resolve(token)
    if link is None:
        return _not_found(request)
    survey = link.survey
    with translation.override(survey.language):
        if survey.status != SurveyStatus.OPEN:
            return _closed(request)
        questions = list(survey.questions.order_by("position", "id"))
        errors: dict[str, list[str]] = {}
        status = 200
        if request.method == "POST":
            try:
                submit(token, request.POST)
            except SurveyClosed:
                return _closed(request)
            except LookupError:
                return _not_found(request)
            except ValidationError as error:
                errors, status = error.message_dict, 400
            else:
                text = survey.thank_you or _("Your answers help us serve you better.")
                return _message(request, 200, _("Thank you!"), text)
            values = _posted_values(questions, request.POST)
        else:
            mark_opened(link)
            values = _current_values(link)
        context = {
            "survey": survey,
            "fields": _fields(questions, values, errors),
            "asks_email": link.asks_email,
            "email": request.POST.get(EMAIL_FIELD, "") if request.method == "POST" else "",
            "email_errors": errors.get(EMAIL_FIELD, []),
            "has_errors": bool(errors),
            "answered_before": bool(values) and request.method == "GET",
            "seller_name": getattr(getattr(request, "tenant", None), "name", ""),
        }
        return _private(render(request, "marketing_surveys/public/page.html", context, status=status))
