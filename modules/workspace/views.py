"""Settings → Workspace (``settings.manage_tenant``): the company's details, logo and conventions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity.client_address import client_address
from identity.decorators import permission_required, signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.workspace.forms import LogoForm, WorkspaceForm
from modules.workspace.logo import logo_png, read_logo
from modules.workspace.services import (
    PROFILE_FIELDS,
    current_tenant,
    remove_logo,
    set_logo,
    update_workspace,
    workspace_profile,
)

PERMISSION = "settings.manage_tenant"


def _initial() -> dict[str, object]:
    tenant, profile = current_tenant(), workspace_profile()
    initial: dict[str, object] = {name: getattr(profile, name) for name in PROFILE_FIELDS}
    initial.update(name=tenant.name, currency=tenant.currency, time_zone=tenant.time_zone)
    return initial


def _page(request: HttpRequest, form: WorkspaceForm, logo_form: LogoForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "logo_form": logo_form, "profile": workspace_profile()}
    return render(request, "workspace/settings.html", context, status=status)


@permission_required(PERMISSION)
def workspace_settings(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST if request.method == "POST" else None, initial=_initial())
    if request.method == "POST" and form.is_valid():
        try:
            update_workspace(by=signed_in_user(request), ip_address=client_address(request), **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The workspace settings are saved."))
            return redirect("workspace:settings")
    return _page(request, form, LogoForm(), status=form_status(form))


@permission_required(PERMISSION)
@require_POST
def logo_upload(request: HttpRequest) -> HttpResponse:
    form = LogoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            png = logo_png(form.cleaned_data["logo"])
            set_logo(png, by=signed_in_user(request), ip_address=client_address(request))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The logo is saved."))
            return redirect("workspace:settings")
    return _page(request, WorkspaceForm(initial=_initial()), form, status=400)


@permission_required(PERMISSION)
@require_POST
def logo_remove(request: HttpRequest) -> HttpResponse:
    remove_logo(by=signed_in_user(request), ip_address=client_address(request))
    messages.success(request, _("The logo is removed."))
    return redirect("workspace:settings")


def logo_response(name: str) -> HttpResponse:
    """The stored logo as a PNG answer (a 404 when there is none)."""
    content = read_logo(name)
    if content is None:
        raise Http404(_("No logo."))
    response = HttpResponse(content, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@permission_required(PERMISSION)
def logo(request: HttpRequest) -> HttpResponse:
    return logo_response(workspace_profile().logo)
