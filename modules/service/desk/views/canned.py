"""Canned responses: the shared ones (Settings → Service, ``service.admin``), each agent's own
(``service.change``), and the endpoint that fills one in for a case (JSON for the reply box)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.service.desk.forms import CannedResponseForm
from modules.service.desk.models import CannedResponse
from modules.service.desk.services import canned
from modules.service.desk.views import ADMIN, desk_page, visible_case

REPLY = "service.change"


def _list(request: HttpRequest, *, shared: bool) -> HttpResponse:
    user = signed_in_user(request)
    form = CannedResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            response = canned.create_canned_response(by=user, shared=shared, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Canned response %(title)s is saved.") % {"title": response.title})
            return redirect("service-desk-admin:canned" if shared else "service-desk:canned")
    rows = CannedResponse.objects.filter(owner__isnull=True) if shared else CannedResponse.objects.filter(owner=user)
    return render(
        request,
        "service_desk/canned/shared_list.html" if shared else "service_desk/canned/personal_list.html",
        {"responses": list(rows), "form": form, "shared": shared},
        status=form_status(form),
    )


def _edit(request: HttpRequest, response: CannedResponse, *, shared: bool) -> HttpResponse:
    initial = {"title": response.title, "body": response.body}
    form = CannedResponseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            canned.update_canned_response(response, by=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Canned response %(title)s is saved.") % {"title": response.title})
            return redirect("service-desk-admin:canned" if shared else "service-desk:canned")
    return render(
        request,
        "service_desk/canned/shared_edit.html" if shared else "service_desk/canned/personal_edit.html",
        {"response": response, "form": form, "shared": shared},
        status=form_status(form),
    )


@desk_page(ADMIN)
def shared_list(request: HttpRequest) -> HttpResponse:
    return _list(request, shared=True)


@desk_page(ADMIN)
def shared_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(CannedResponse, pk=pk, owner__isnull=True), shared=True)


@desk_page(ADMIN)
@require_POST
def shared_delete(request: HttpRequest, pk: int) -> HttpResponse:
    canned.delete_canned_response(
        get_object_or_404(CannedResponse, pk=pk, owner__isnull=True), by=signed_in_user(request)
    )
    return redirect("service-desk-admin:canned")


@desk_page(REPLY)
def personal_list(request: HttpRequest) -> HttpResponse:
    return _list(request, shared=False)


@desk_page(REPLY)
def personal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(CannedResponse, pk=pk, owner=signed_in_user(request)), shared=False)


@desk_page(REPLY)
@require_POST
def personal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    canned.delete_canned_response(get_object_or_404(CannedResponse, pk=pk, owner=user), by=user)
    return redirect("service-desk:canned")


@desk_page(REPLY)
@require_GET
def render_for_case(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    """``{"title", "text"}``: the response filled in for the case (both must be visible to the user)."""
    user = signed_in_user(request)
    case = visible_case(request, case_pk)
    response = canned.visible_canned_responses(user).filter(pk=pk).first()
    if response is None:
        raise Http404(_("No such canned response."))
    return JsonResponse({"title": response.title, "text": canned.render_for_case(response, case, agent=user)})
