"""The suppression list: search it (``marketing.view``); add an address by hand, remove one
(audited), import and export CSV (``marketing.admin``)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.input_bounds import text_problem
from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.marketing.consent.forms import SuppressionForm, SuppressionImportForm, UnsuppressForm
from modules.marketing.consent.services.imports import import_suppressions, suppression_rows
from modules.marketing.consent.services.suppression import suppress, unsuppress
from modules.marketing.guard import marketing_page
from modules.marketing.models import Suppression

ADMIN = "marketing.admin"
PAGE_SIZE = 50
SEARCH_MAX = 254


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)


def _page(
    request: HttpRequest, *, form: SuppressionForm, remove_form: UnsuppressForm, status: int = 200
) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    error = text_problem(query) or (_("Search for at most 254 characters.") if len(query) > SEARCH_MAX else None)
    rows = Suppression.objects.order_by("-created_at", "-id")
    if query and not error:
        rows = rows.annotate(address=Lower("email")).filter(address__contains=query.lower())
    try:
        page = max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        page = 1
    shown = list(rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1]) if not error else []
    context = {
        "rows": shown[:PAGE_SIZE], "more": len(shown) > PAGE_SIZE, "page": page, "q": query, "search_error": error,
        "form": form, "remove_form": remove_form, "import_form": SuppressionImportForm(), "tab": "suppressions",
        "may_admin": request.user.has_perm(ADMIN),
    }  # fmt: skip
    return render(request, "marketing_consent/staff/suppressions.html", context, status=400 if error else status)


@require_GET
@marketing_page("marketing.view")
def suppression_list(request: HttpRequest) -> HttpResponse:
    return _page(request, form=SuppressionForm(), remove_form=UnsuppressForm())


@require_POST
@marketing_page(ADMIN)
def suppression_add(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = SuppressionForm(request.POST)
    if form.is_valid():
        try:
            row = suppress(
                form.cleaned_data["email"], reason=form.cleaned_data["reason"], source=user.email,
                detail=form.cleaned_data["detail"], by=user,
            )  # fmt: skip
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(email)s is suppressed.") % {"email": row.email})
            return redirect("marketing-consent:suppressions")
    return _page(request, form=form, remove_form=UnsuppressForm(), status=form_status(form))


@require_POST
@marketing_page(ADMIN)
def suppression_remove(request: HttpRequest) -> HttpResponse:
    form = UnsuppressForm(request.POST)
    if form.is_valid():
        try:
            removed = unsuppress(form.cleaned_data["email"], by=signed_in_user(request), note=form.cleaned_data["note"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if removed:
                messages.success(
                    request, _("%(email)s may receive marketing again.") % {"email": form.cleaned_data["email"]}
                )
            else:
                messages.info(request, _("%(email)s was not suppressed.") % {"email": form.cleaned_data["email"]})
            return redirect("marketing-consent:suppressions")
    return _page(request, form=SuppressionForm(), remove_form=form, status=form_status(form))


@require_POST
@marketing_page(ADMIN)
def suppression_import(request: HttpRequest) -> HttpResponse:
    form = SuppressionImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            done, problems = import_suppressions(form.cleaned_data["file"], by=signed_in_user(request))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(count)d addresses read.") % {"count": done})
            for problem in problems[:20]:
                messages.warning(request, problem)
            return redirect("marketing-consent:suppressions")
    return render(
        request, "marketing_consent/staff/import_errors.html", {"import_form": form, "tab": "suppressions"}, status=400
    )


@require_GET
@marketing_page(ADMIN)
def suppression_export(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_lines(suppression_rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="suppressions.csv"'
    return response
