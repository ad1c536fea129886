"""Settings → OAuth applications (``settings.manage_integrations``): register, rotate, delete."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from oauth2_provider.models import Application

from api.auth.oauth_apps import delete_application, register_application, rotate_client_secret
from identity.decorators import permission_required, signed_in_user
from identity.forms import apply_service_errors, form_status
from identity.impersonation import ensure_not_impersonating
from identity.services.api_keys import scope_groups

PERMISSION = "settings.manage_integrations"


class ApplicationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    client_type = forms.ChoiceField(
        label=gettext_lazy("Client type"),
        choices=[
            (Application.CLIENT_CONFIDENTIAL, gettext_lazy("Confidential: a server that keeps the secret")),
            (Application.CLIENT_PUBLIC, gettext_lazy("Public: a browser or mobile app (PKCE, no secret)")),
        ],
    )
    grant_type = forms.ChoiceField(
        label=gettext_lazy("Grant type"),
        choices=[
            (Application.GRANT_AUTHORIZATION_CODE, gettext_lazy("Authorization code: users sign in and consent")),
            (Application.GRANT_CLIENT_CREDENTIALS, gettext_lazy("Client credentials: acts as you, without a user")),
        ],
    )
    redirect_uris = forms.CharField(
        label=gettext_lazy("Redirect URIs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line; https (http only for localhost). Needed for authorization code."),
    )
    scopes = forms.MultipleChoiceField(label=gettext_lazy("Allowed scopes"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, tenant: object, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope_groups = scope_groups(tenant)
        self.fields["scopes"].choices = [  # type: ignore[attr-defined]
            (code, code) for group in self.scope_groups for code in (group.read, group.write)
        ]


def _tenant(request: HttpRequest) -> object:
    return getattr(request, "tenant", None)


def _list_context(form: ApplicationForm, **extra: Any) -> dict[str, Any]:
    applications = Application.objects.select_related("user", "module_scopes").order_by("name", "id")
    return {
        "form": form,
        "scope_groups": form.scope_groups,
        "chosen_scopes": set(form["scopes"].value() or []),
        "applications": applications,
        **extra,
    }


def _shown_once(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"  # the client secret must not stay in any cache
    return response


@permission_required(PERMISSION)
def application_list(request: HttpRequest) -> HttpResponse:
    """The tenant's applications and the registration form; a new secret is shown on this answer only."""
    if request.method == "POST":
        ensure_not_impersonating(request, gettext_lazy("register OAuth applications"))
    form = ApplicationForm(request.POST or None, tenant=_tenant(request))
    if request.method == "POST" and form.is_valid():
        try:
            application, secret = register_application(
                name=form.cleaned_data["name"],
                client_type=form.cleaned_data["client_type"],
                grant_type=form.cleaned_data["grant_type"],
                redirect_uris=form.cleaned_data["redirect_uris"].split(),
                scopes=form.cleaned_data["scopes"],
                by=signed_in_user(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            context = _list_context(ApplicationForm(tenant=_tenant(request)), created=application, client_secret=secret)
            return _shown_once(render(request, "oauth2_provider/settings/list.html", context, status=201))
    return render(request, "oauth2_provider/settings/list.html", _list_context(form), status=form_status(form))


@permission_required(PERMISSION)
@require_POST
def application_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    ensure_not_impersonating(request, gettext_lazy("make new client secrets"))
    application = get_object_or_404(Application, pk=pk)
    try:
        secret = rotate_client_secret(application)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("oauth-apps:list")
    context = _list_context(
        ApplicationForm(tenant=_tenant(request)), created=application, client_secret=secret, rotated=True
    )
    return _shown_once(render(request, "oauth2_provider/settings/list.html", context))


@permission_required(PERMISSION)
@require_POST
def application_delete(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(Application, pk=pk)
    delete_application(application)
    messages.success(
        request, _("The application “%(name)s” is deleted; its tokens no longer work.") % {"name": application.name}
    )
    return redirect("oauth-apps:list")
