"""Case pages: the list (on the list framework), a case's page (header, conversation, composer,
sidebar with quick changes, custom fields and the other service apps' panels), the create and edit
forms, the quick changes of status, priority, queue and agent, and deletion."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customization.fields.display import detail_sections
from customization.fields.form_fields import form_errors
from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from identity.models import Team
from identity.visibility import restrict_to_visible
from modules.collaboration.composer import picker_choices
from modules.collaboration.sanitize import clean_note_html
from modules.contacts.selectors.lists import visible_companies, visible_contacts
from modules.lists import views as lists
from modules.registry import is_enabled
from modules.service.choices import CasePriority, StatusCategory
from modules.service.forms import CaseForm, MessageForm, QuickChangeForm, active_agents, case_statuses
from modules.service.lists import CASES, presets
from modules.service.models import Case, CaseMessage
from modules.service.panels import PLACES, panels_for
from modules.service.selectors.cases import visible_cases
from modules.service.services.cases import create_case, delete_case, update_case
from modules.service.views import service_page

CASE_RELATED = ("status", "category", "team", "owner", "contact", "company", "deal", "order", "product")


def case_for(request: HttpRequest, pk: int) -> Case:
    """The case ``pk`` when the user may see it, else 404."""
    return get_object_or_404(visible_cases(signed_in_user(request)).select_related(*CASE_RELATED), pk=pk)


@service_page("service.view")
def case_list(request: HttpRequest) -> HttpResponse:
    current = lists.list_params(CASES, request.GET)
    return lists.list_page(request, CASES, extra_context={"presets": presets(signed_in_user(request), current)})


@service_page("service.view", "service.change")
@require_POST
def case_bulk(request: HttpRequest) -> HttpResponse:
    return lists.bulk(request, CASES)


@service_page("service.view")
@require_POST
def case_view_save(request: HttpRequest) -> HttpResponse:
    return lists.save_saved_view(request, CASES)


@service_page("service.view")
@require_POST
def case_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return lists.delete_saved_view(request, pk, CASES)


def _sales_links(request: HttpRequest) -> dict[str, QuerySet[Any]]:
    """The deals, orders and products a case may link to, for a user who may see sales records."""
    user = signed_in_user(request)
    if not (is_enabled(getattr(request, "tenant", None), "sales") and user.has_perm("sales.view")):
        return {}
    from modules.sales.models import Deal, Order, Product

    return {
        "deal": restrict_to_visible(Deal.objects.all(), user).order_by("name"),
        "order": restrict_to_visible(Order.objects.all(), user).order_by("-number"),
        "product": Product.objects.filter(is_active=True).order_by("name"),
    }


def conversation(case: Case) -> list[CaseMessage]:
    """The case's messages, oldest first, with their authors and files (three queries), each with
    its new part (``shown``) and the quoted history to fold away (``quoted``, empty when none)."""
    rows: list[CaseMessage] = list(
        case.messages.select_related("author", "contact").prefetch_related(Prefetch("attachments", to_attr="files"))
    )
    for message in rows:
        message.shown, message.quoted = split_quote(message)  # type: ignore[attr-defined]
    return rows


def split_quote(message: CaseMessage) -> tuple[str, str]:
    """The message's body as safe HTML, cut where its stored quote position says. Each part of the
    HTML is cleaned again, which closes the tags the cut left open."""
    if message.body_html:
        start = message.html_quote_start
        if start is None or start >= len(message.body_html):
            return mark_safe(message.body_html), ""  # noqa: S308  # sanitised when stored
        shown, quoted = message.body_html[:start], message.body_html[start:]
        return mark_safe(clean_note_html(shown)), mark_safe(clean_note_html(quoted))  # noqa: S308  # cleaned
    start = message.quote_start
    if start is None or start >= len(message.body_text):
        return linebreaksbr(message.body_text, autoescape=True), ""
    text = message.body_text
    return linebreaksbr(text[:start].rstrip(), autoescape=True), linebreaksbr(text[start:], autoescape=True)


def rendered_panels(request: HttpRequest, case: Case) -> dict[str, list[str]]:
    """Each place's panels of the service module's other apps, rendered in order."""
    return {
        place: [
            render_to_string(panel.template, {"case": case, "panel": panel, **context}, request=request)
            for panel, context in panels_for(request, case, place)
        ]
        for place in PLACES
    }


def case_page(
    request: HttpRequest, case: Case, *, message_form: MessageForm | None = None, status: int = 200
) -> HttpResponse:
    user = signed_in_user(request)
    statuses = list(case_statuses())
    if case.status not in statuses:
        statuses.append(case.status)
    solved = next((row for row in statuses if row.category == StatusCategory.SOLVED), None)
    context = {
        "case": case,
        "conversation": conversation(case),
        "message_form": message_form or MessageForm(),
        "statuses": statuses,
        "solved_status": solved if solved is not None and case.status_id != solved.pk else None,
        "priorities": CasePriority.choices,
        "teams": list(Team.objects.order_by("name")),
        "agents": list(active_agents()),
        "custom_details": detail_sections("case", case, user=user),
        "panels": rendered_panels(request, case),
        # The composer's library picker: each source's items as ("<source>:<id>", title).
        "attach_sources": picker_choices(request) if user.has_perm("service.change") else [],
    }
    if message_form is not None and message_form.errors:
        status = 400
    return render(request, "service/cases/detail.html", context, status=status)


@service_page("service.view")
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return case_page(request, case_for(request, pk))


def _form(request: HttpRequest, case: Case | None) -> CaseForm:
    user = signed_in_user(request)
    if case is None:
        initial: dict[str, Any] = {"owner": user}
        for name in ("company", "contact"):
            if request.GET.get(name, "").isdigit():
                initial[name] = int(request.GET[name])
    else:
        initial = CaseForm.initial_for(case)
    form = CaseForm(
        request.POST or None,
        initial=initial,
        companies=visible_companies(user),
        contacts=visible_contacts(user),
        links=_sales_links(request),
    )
    if case is not None:
        form.fields["status"].required = True
    form.add_custom_fields("case", user=user, current=case.custom if case else None)
    return form


@service_page("service.view", "service.change")
def case_create(request: HttpRequest) -> HttpResponse:
    form = _form(request, None)
    if request.method == "POST" and form.is_valid():
        try:
            case = create_case(by=signed_in_user(request), custom=form.custom_values(), **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, form_errors(error))
        else:
            messages.success(request, _("Case %(number)s is created.") % {"number": case.number})
            return redirect("service:case-detail", pk=case.pk)
    return render(request, "service/cases/form.html", {"form": form, "case": None}, status=form_status(form))


@service_page("service.view", "service.change")
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk)
    form = _form(request, case)
    if request.method == "POST" and form.is_valid():
        try:
            update_case(case, by=signed_in_user(request), custom=form.custom_values(), **form.service_values())
        except ValidationError as error:
            case = case_for(request, pk)
            apply_service_errors(form, form_errors(error))
        else:
            messages.success(request, _("Case %(number)s is saved.") % {"number": case.number})
            return redirect("service:case-detail", pk=case.pk)
    return render(request, "service/cases/form.html", {"form": form, "case": case}, status=form_status(form))


@service_page("service.view", "service.change")
@require_POST
def case_change(request: HttpRequest, pk: int) -> HttpResponse:
    """One quick change from the case page: status, priority, queue or agent."""
    case = case_for(request, pk)
    form = QuickChangeForm(request.POST)
    problems: dict[str, list[str]] = {}
    if not form.is_valid():
        problems = {name: [item["message"] for item in items] for name, items in form.errors.get_json_data().items()}
    else:
        try:
            update_case(case, by=signed_in_user(request), **form.change())
        except ValidationError as refused:
            problems = refused.message_dict if hasattr(refused, "error_dict") else {"__all__": refused.messages}
    if problems:
        labels = {name: str(field.label) for name, field in form.fields.items()}
        for name, errors in problems.items():
            label = labels.get(name, "")
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return case_page(request, case_for(request, pk), status=400)
    messages.success(request, _("Case %(number)s is saved.") % {"number": case.number})
    return redirect("service:case-detail", pk=case.pk)


@service_page("service.view", "service.delete")
@require_POST
def case_delete(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk)
    delete_case(case, by=signed_in_user(request))
    messages.success(request, _("Case %(number)s is deleted.") % {"number": case.number})
    return redirect("service:case-list")
