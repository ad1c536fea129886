"""The marketers' survey pages (namespace ``marketing-surveys``): the list, the builder, results,
sending, the shareable link, responses and their CSV export, and the NPS card of a contact's page."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from identity.decorators import signed_in_user
from modules.contacts.models import Contact
from modules.contacts.selectors.lists import visible_contacts
from modules.dataio.exports.writers import BOM, csv_value
from modules.lists import views as lists
from modules.marketing.guard import marketing_page
from modules.marketing.surveys.choices import QuestionKind, SurveyStatus
from modules.marketing.surveys.forms import SendForm, SurveyForm
from modules.marketing.surveys.lists import SURVEYS
from modules.marketing.surveys.models import Answer, ContactNps, Question, Response, Survey
from modules.marketing.surveys.results import survey_counts, survey_results, text_answers
from modules.marketing.surveys.services.sending import invite, invite_segment
from modules.marketing.surveys.services.surveys import delete_survey, new_share_link, save_survey, update_survey
from modules.record_access import page_access
from modules.registry import is_enabled

PAGE_SIZE = 50
EXPORT_CHUNK = 500


def _survey(pk: int) -> Survey:
    return get_object_or_404(Survey.objects.select_related("campaign"), pk=pk)


@marketing_page("marketing.view")
@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    return lists.list_page(request, SURVEYS)


@marketing_page("marketing.view", "marketing.change")
@require_POST
def survey_bulk(request: HttpRequest) -> HttpResponse:
    return lists.bulk(request, SURVEYS)


@marketing_page("marketing.view")
@require_POST
def survey_view_save(request: HttpRequest) -> HttpResponse:
    return lists.save_saved_view(request, SURVEYS)


@marketing_page("marketing.view")
@require_POST
def survey_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return lists.delete_saved_view(request, pk, SURVEYS)


def _questions_json(survey: Survey | None) -> str:
    if survey is None:
        return "[]"
    return json.dumps(
        [{"id": q.pk, "kind": q.kind, "label": q.label, "required": q.required, "choices": q.choices}
         for q in survey.questions.order_by("position", "id")]
    )  # fmt: skip


def _builder(request: HttpRequest, survey: Survey | None) -> HttpResponse:
    service = is_enabled(getattr(request, "tenant", None), "service")
    status = 200
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = SurveyForm(request.POST, instance=survey, service_enabled=service)
        if form.is_valid():
            try:
                questions = json.loads(form.cleaned_data["questions"] or "[]")
            except ValueError:
                questions = None
                form.add_error("questions", _("The questions are not readable."))
            if questions is not None:
                values = {name: form.cleaned_data[name] for name in form.Meta.fields if name in form.cleaned_data}
                try:
                    saved = save_survey(survey, by=signed_in_user(request), questions=questions, **values)
                except ValidationError as error:
                    errors = error.message_dict
                    for name, problems in errors.items():
                        if name in form.fields:
                            form.add_error(name, problems)
                else:
                    messages.success(request, _("Survey “%(name)s” saved.") % {"name": saved.name})
                    return redirect("marketing-surveys:survey-detail", saved.pk)
        status = 400
    else:
        form = SurveyForm(instance=survey, service_enabled=service, initial={"questions": _questions_json(survey)})
    context = {
        "form": form, "survey": survey, "question_errors": errors, "service_enabled": service,
        "question_kinds": QuestionKind.choices,
    }  # fmt: skip
    return render(request, "marketing_surveys/builder.html", context, status=status)


@marketing_page("marketing.view", "marketing.change")
@require_http_methods(["GET", "POST"])
def survey_create(request: HttpRequest) -> HttpResponse:
    return _builder(request, None)


@marketing_page("marketing.view", "marketing.change")
@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _builder(request, _survey(pk))


@marketing_page("marketing.view")
@require_GET
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(pk)
    context = {"survey": survey, "results": survey_results(survey), "counts": survey_counts(survey)}
    return render(request, "marketing_surveys/detail.html", context)


@marketing_page("marketing.view", "marketing.change")
@require_POST
def survey_status(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(pk)
    status = request.POST.get("status", "")
    if status not in SurveyStatus.values:
        return HttpResponse(_("status: choose draft, open or closed."), status=400)
    update_survey(survey, by=signed_in_user(request), status=status)
    messages.success(request, _("The survey is now %(status)s.") % {"status": survey.get_status_display()})
    return redirect("marketing-surveys:survey-detail", survey.pk)


@marketing_page("marketing.view", "marketing.change")
@require_POST
def survey_share(request: HttpRequest, pk: int) -> HttpResponse:
    """A new shareable link, shown once (only its hash is kept; the previous link stops working)."""
    survey = _survey(pk)
    try:
        token = new_share_link(survey, by=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("marketing-surveys:survey-detail", survey.pk)
    link = request.build_absolute_uri(reverse("survey-public:page", args=[token]))
    response = render(request, "marketing_surveys/share.html", {"survey": survey, "link": link})
    response["Cache-Control"] = "private, no-store"
    return response


@marketing_page("marketing.view", "marketing.send")
@require_http_methods(["GET", "POST"])
def survey_send(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(pk)
    user = signed_in_user(request)
    form = SendForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                added = _invite(survey, form, user)
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                messages.success(
                    request,
                    ngettext("%(count)d contact invited.", "%(count)d contacts invited.", added) % {"count": added},
                )
                return redirect("marketing-surveys:survey-detail", survey.pk)
        status = 400
    return render(request, "marketing_surveys/send.html", {"survey": survey, "form": form}, status=status)


def _invite(survey: Survey, form: SendForm, user: Any) -> int:
    added = 0
    if form.cleaned_data.get("segment"):
        added += invite_segment(survey, form.cleaned_data["segment"], by=user)
    addresses = form.cleaned_data.get("addresses") or []
    if addresses:
        # Only contacts the sender may see are invited by address.
        contacts = visible_contacts(user).annotate(address=Lower("email")).filter(address__in=addresses)
        if not contacts.exists():
            raise ValidationError({"addresses": [_("None of these addresses is a contact's.")]})
        added += invite(survey, contacts, by=user)
    return added


def _access_contacts(request: HttpRequest, rows: list[Any], attribute: str = "contact") -> None:
    """Contacts shown as links only to users who may open them (the link rule)."""
    access = page_access(request)
    for row in rows:
        contact = getattr(row, attribute)
        row.shown_contact = access.shown(contact) if contact is not None else None


@marketing_page("marketing.view")
@require_GET
def survey_text_answers(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    survey = _survey(pk)
    question = get_object_or_404(Question, pk=question_pk, survey=survey)
    page = Paginator(text_answers(question), PAGE_SIZE).get_page(request.GET.get("page"))
    answers = list(page.object_list)
    for answer in answers:
        answer.contact = answer.response.contact  # type: ignore[attr-defined]
    _access_contacts(request, answers)
    context = {"survey": survey, "question": question, "page": page, "answers": answers}
    return render(request, "marketing_surveys/text_answers.html", context)


@marketing_page("marketing.view")
@require_GET
def survey_responses(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(pk)
    questions = list(survey.questions.order_by("position", "id"))
    responses = Response.objects.filter(survey=survey).select_related("contact").prefetch_related("answers")
    page = Paginator(responses.order_by("-submitted_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    _access_contacts(request, rows)
    for row in rows:
        by_question = {answer.question_id: answer for answer in row.answers.all()}
        row.cells = [_answer_text(by_question.get(question.pk)) for question in questions]  # type: ignore[attr-defined]
    context = {"survey": survey, "questions": questions, "page": page, "rows": rows}
    return render(request, "marketing_surveys/responses.html", context)


def _answer_text(answer: Answer | None) -> str:
    if answer is None:
        return ""
    if answer.number is not None:
        return str(answer.number)
    if answer.choices:
        return "; ".join(answer.choices)
    return answer.text


def _csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([csv_value(value) for value in values])
    return buffer.getvalue()


def _export_lines(request: HttpRequest, survey: Survey, questions: list[Question]) -> Iterator[str]:
    access = page_access(request)
    yield BOM + _csv_line(
        [_("Submitted"), _("Contact"), _("E-mail address"), _("Score"), _("NPS category"),
         *(question.label for question in questions)]
    )  # fmt: skip
    responses = (
        Response.objects.filter(survey=survey)
        .select_related("contact")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by()))
        .order_by("submitted_at", "id")
    )
    for response in responses.iterator(chunk_size=EXPORT_CHUNK):
        contact = access.shown(response.contact) if response.contact is not None else None
        by_question = {answer.question_id: answer for answer in response.answers.all()}
        yield _csv_line(
            [response.submitted_at, str(contact) if contact is not None else "", response.email, response.score,
             response.get_category_display(), *(_answer_text(by_question.get(q.pk)) for q in questions)]
        )  # fmt: skip


@marketing_page("marketing.view", "marketing.view_reports")
@require_GET
def survey_responses_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    survey = _survey(pk)
    questions = list(survey.questions.order_by("position", "id"))
    response = StreamingHttpResponse(_export_lines(request, survey, questions), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-responses.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@marketing_page("marketing.view", "marketing.delete")
@require_POST
def survey_delete(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(pk)
    delete_survey(survey, by=signed_in_user(request))
    messages.success(request, _("Survey “%(name)s” deleted.") % {"name": survey.name})
    return redirect("marketing-surveys:survey-list")


@marketing_page("marketing.view")
@require_GET
def contact_nps_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The NPS card of a contact's page (loaded by htmx): their latest NPS answer."""
    contact: Contact = get_object_or_404(visible_contacts(signed_in_user(request)), pk=pk)
    nps = ContactNps.objects.select_related("survey").filter(contact=contact).first()
    return render(request, "marketing_surveys/_contact_nps.html", {"contact": contact, "nps": nps})
