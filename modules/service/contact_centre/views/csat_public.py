"""The satisfaction survey's public page (``/csat/<token>/``): the customer, without signing in,
rates the solved case 1–5 and may comment. A forged, altered or unknown link (or one of another
workspace) is a 404; an answered or expired one a 410 with a page saying which; every request counts
towards a per-address limit, so links cannot be guessed at speed."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from identity.client_address import client_address
from modules.registry import is_enabled
from modules.service.contact_centre.forms import CsatForm
from modules.service.contact_centre.services.csat import SurveyUnavailable, answer_survey, resolve

REQUESTS_PER_WINDOW = 30
WINDOW_SECONDS = 600


def _message(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    response = render(
        request, "service_contact_centre/csat_message.html", {"title": title, "text": text}, status=status
    )
    return _private(response)


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _over_limit(request: HttpRequest) -> bool:
    key = f"csat-public:{client_address(request)}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    return int(cache.incr(key)) > REQUESTS_PER_WINDOW


def _unavailable(request: HttpRequest, reason: str) -> HttpResponse:
    if reason == "used":
        return _message(request, 410, _("Thank you, we have your answer"), _("This survey has already been answered."))
    if reason == "expired":
        return _message(request, 410, _("This survey has closed"), _("The link has expired. Thank you all the same."))
    return _not_found(request)


def _not_found(request: HttpRequest) -> HttpResponse:
    return _message(request, 404, _("Link not found"), _("This link is not valid. Check that it was copied whole."))


@require_http_methods(["GET", "POST"])
def survey_page(request: HttpRequest, token: str) -> HttpResponse:
    if _over_limit(request):
        return _message(request, 429, _("Too many attempts"), _("Wait a few minutes and try again."))
    if not is_enabled(getattr(request, "tenant", None), "service"):
        return _not_found(request)
    try:
        survey = resolve(token)
    except SurveyUnavailable as gone:
        return _unavailable(request, gone.reason)
    if survey is None:
        return _not_found(request)
    form = CsatForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                answer_survey(token, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"])
            except SurveyUnavailable as gone:
                return _unavailable(request, gone.reason)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                return _message(request, 200, _("Thank you!"), _("Your answer helps us serve you better."))
        status = 400
    context = {"form": form, "case": survey.case, "seller_name": getattr(request.tenant, "name", "")}  # type: ignore[attr-defined]
    return _private(render(request, "service_contact_centre/csat_page.html", context, status=status))
