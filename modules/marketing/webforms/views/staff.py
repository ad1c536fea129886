"""The marketers' pages (``marketing.view`` to look, ``marketing.change`` to build, ``marketing.delete``
to remove): the forms with their figures, the builder with its embed codes, a form's submissions
and their CSV export."""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.spreadsheet_cells import safe_text
from identity.decorators import signed_in_user
from identity.forms import form_status
from modules.lists import views as lists
from modules.marketing.guard import marketing_page
from modules.marketing.models import Topic
from modules.marketing.webforms import protection
from modules.marketing.webforms.catalogue import catalogue
from modules.marketing.webforms.choices import Creates
from modules.marketing.webforms.forms import SubmissionFilterForm, WebFormForm
from modules.marketing.webforms.lists import ALL_SUBMISSIONS, for_form
from modules.marketing.webforms.models import WebForm
from modules.marketing.webforms.models.submission import UTM_KEYS
from modules.marketing.webforms.presentation import consent_boxes, inputs, submit_label
from modules.marketing.webforms.selectors import conversion, daily_counts, forms_with_figures, submissions
from modules.marketing.webforms.services.forms import create_form, delete_form, update_form


@require_GET
@marketing_page("marketing.view")
def form_list(request: HttpRequest) -> HttpResponse:
    rows = list(forms_with_figures())
    for row in rows:
        row.conversion = conversion(row)  # type: ignore[attr-defined]
    return render(request, "marketing_forms/list.html", {"forms": rows})


def _builder_config() -> dict[str, Any]:
    topics = Topic.objects.filter(is_active=True).values_list("pk", "name")
    return {
        "catalogues": {kind: [field.as_json() for field in catalogue(kind).values()] for kind in Creates.values},
        "topics": [{"id": pk, "name": name} for pk, name in topics],
        "labels": {"required": _("Required"), "remove": _("Remove"), "up": _("Move up"), "down": _("Move down")},
    }


def _embed_codes(request: HttpRequest, form: WebForm) -> dict[str, str]:
    """The script snippet, the plain HTML form (posts, then redirects) and the hosted page's address."""
    host = request.build_absolute_uri("/").rstrip("/")
    script = (
        f'<div data-relata-form="{form.key}"></div>\n'
        f'<script src="{host}{reverse("marketing-forms-public:embed-script")}" async></script>'
    )
    with translation.override(form.language):
        html = render_to_string("marketing_forms/snippet.txt", {
            "action": f"{host}{reverse('marketing-forms-public:submit', args=[form.key])}", "inputs": inputs(form),
            "consents": consent_boxes(form), "honeypot": protection.HONEYPOT, "token_name": protection.TOKEN,
            "token": protection.render_token(form, static=True), "submit_label": submit_label(form),
        })  # fmt: skip
    return {
        "script": script,
        "html": html.strip(),
        "page": f"{host}{reverse('marketing-forms-public:page', args=[form.key])}",
    }


def _builder(request: HttpRequest, form: WebForm | None) -> HttpResponse:
    user = signed_in_user(request)
    bound = WebFormForm(request.POST or None, instance=form)
    if request.method == "POST" and bound.is_valid():
        try:
            if form is None:
                form = create_form(by=user, **bound.values())
            else:
                form = update_form(WebForm.objects.get(pk=form.pk), by=user, **bound.values())
        except ValidationError as error:
            # The builder's lists and the origins' text box carry other names on the page.
            named = {"allowed_origins": "allowed_origins_text"}
            messages_by_field = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            for name, problems in messages_by_field.items():
                base = name.split("[", 1)[0]  # allowed_origins[2] is the origins' text box
                target = named.get(base, base)
                bound.add_error(target if target in bound.fields else None, problems)
        else:
            messages.success(request, _("Form %(name)s is saved.") % {"name": form.name})
            return redirect("marketing-forms:edit", pk=form.pk)
    context = {
        "web_form": form, "form": bound, "builder_config": _builder_config(),
        "initial_fields": bound.builder_lists["fields"], "initial_consents": bound.builder_lists["consents"] or [],
        "embed": _embed_codes(request, form) if form is not None and form.pk else None,
    }  # fmt: skip
    return render(request, "marketing_forms/builder.html", context, status=form_status(bound))


@require_http_methods(["GET", "POST"])
@marketing_page("marketing.view", "marketing.change")
def form_new(request: HttpRequest) -> HttpResponse:
    return _builder(request, None)


@require_http_methods(["GET", "POST"])
@marketing_page("marketing.view", "marketing.change")
def form_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _builder(request, get_object_or_404(WebForm, pk=pk))


@require_POST
@marketing_page("marketing.view", "marketing.delete")
def form_delete(request: HttpRequest, pk: int) -> HttpResponse:
    form = get_object_or_404(WebForm, pk=pk)
    delete_form(form, by=signed_in_user(request))
    messages.success(request, _("Form %(name)s is deleted.") % {"name": form.name})
    return redirect("marketing-forms:list")


def _bad_filters(request: HttpRequest) -> HttpResponse | None:
    """A 400 naming each filter whose value is no date (or too long) rather than ignoring it."""
    filters = SubmissionFilterForm(request.GET)
    if filters.is_valid():
        return None
    return HttpResponse(" ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in filters.errors.items()), status=400)


def _export_query(request: HttpRequest) -> str:
    """The list's filters as the CSV export reads them."""
    filters = SubmissionFilterForm(request.GET)
    if not filters.is_valid():
        return ""
    chosen = {key: value.isoformat() if hasattr(value, "isoformat") else value
              for key, value in filters.cleaned_data.items() if value}  # fmt: skip
    return urlencode(chosen)


@require_GET
@marketing_page("marketing.view")
def submission_list(request: HttpRequest, pk: int) -> HttpResponse:
    form = get_object_or_404(WebForm, pk=pk)
    bad = _bad_filters(request)
    if bad is not None:
        return bad
    figures = forms_with_figures().get(pk=form.pk)
    context = {
        "web_form": form, "figures": figures, "conversion": conversion(figures), "days": daily_counts(form),
        "export_query": _export_query(request),
    }  # fmt: skip
    return lists.list_page(request, for_form(form), extra_context=context, template="marketing_forms/submissions.html")


@marketing_page("marketing.view")
@require_POST
def submission_view_save(request: HttpRequest, pk: int) -> HttpResponse:
    return lists.save_saved_view(request, for_form(get_object_or_404(WebForm, pk=pk)))


@marketing_page("marketing.view")
@require_POST
def submission_view_delete(request: HttpRequest, pk: int, view_pk: int) -> HttpResponse:
    return lists.delete_saved_view(request, view_pk, for_form(get_object_or_404(WebForm, pk=pk)))


@require_GET
@marketing_page("marketing.view")
def all_submissions(request: HttpRequest) -> HttpResponse:
    return _bad_filters(request) or lists.list_page(request, ALL_SUBMISSIONS)


@marketing_page("marketing.view")
@require_POST
def all_submissions_view_save(request: HttpRequest) -> HttpResponse:
    return lists.save_saved_view(request, ALL_SUBMISSIONS)


@marketing_page("marketing.view")
@require_POST
def all_submissions_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return lists.delete_saved_view(request, pk, ALL_SUBMISSIONS)


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@marketing_page("marketing.view")
def submission_export(request: HttpRequest, pk: int) -> HttpResponse | StreamingHttpResponse:
    form = get_object_or_404(WebForm, pk=pk)
    filters = SubmissionFilterForm(request.GET or None)
    if request.GET and not filters.is_valid():
        return HttpResponse(
            " ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in filters.errors.items()), status=400
        )
    chosen = filters.cleaned_data if request.GET else {}
    names = [field["field"] for field in form.fields]
    header = [_("Submitted"), _("Status"), *names, _("Record"), "IP", _("Page"), _("Referrer"), *UTM_KEYS]
    writer = csv.writer(_Echo())

    def rows() -> Any:
        yield writer.writerow(header)
        for row in submissions(form, chosen).iterator(chunk_size=500):
            record = f"lead:{row.lead_id}" if row.lead_id else f"contact:{row.contact_id}" if row.contact_id else ""
            answers = (str(row.data.get(name, "")) for name in names)
            utm = (getattr(row, key) for key in UTM_KEYS)
            values = [row.created_at.isoformat(), row.status, *answers, record, row.ip_address or "", row.page_url,
                      row.referrer, *utm]  # fmt: skip
            yield writer.writerow([safe_text(str(value)) for value in values])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{form.key}-submissions.csv"'
    return response
