"""Settings → API keys: every user manages their own keys; user managers see and revoke all."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.input_bounds import bounded_input
from core.localized_dates import LocalizedDateField, format_hint
from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from identity.impersonation import ensure_not_impersonating
from identity.models import ApiKey, User
from identity.reauth import ReauthenticationForm
from identity.services.api_keys import create_api_key, revoke_api_key, scope_groups
from identity.time_zones import user_time_zone

# One page of keys is plenty for a settings table; older revoked keys fall off the end.
LIST_LIMIT = 200


class ApiKeyForm(ReauthenticationForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    scopes = forms.MultipleChoiceField(label=gettext_lazy("Scopes"), widget=forms.CheckboxSelectMultiple)
    expires_on = LocalizedDateField(
        label=gettext_lazy("Expires after"),
        required=False,
        validators=[bounded_input],  # the day after it is computed (core.input_bounds)
        help_text=gettext_lazy("The key stops working at the end of this day. Leave empty for no expiry."),
    )

    field_order = ["name", "scopes", "expires_on", "current_password"]

    def __init__(self, *args: Any, tenant: object, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)  # with ``request=``: wrong passwords count
        self.scope_groups = scope_groups(tenant)
        self.fields["scopes"].choices = [  # type: ignore[attr-defined]
            (code, code) for group in self.scope_groups for code in (group.read, group.write)
        ]

    def expires_at(self, zone: dt.tzinfo | None) -> dt.datetime | None:
        """Midnight after the chosen day, in the user's time zone."""
        day: dt.date | None = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return dt.datetime.combine(
            day + dt.timedelta(days=1), dt.time(), tzinfo=zone or timezone.get_current_timezone()
        )


def _can_manage_all(user: User) -> bool:
    return user.has_perm("settings.manage_users")


@login_required
def key_list(request: HttpRequest) -> HttpResponse:
    """The user's keys and the form to create one; the new key's plaintext is shown on this answer only."""
    user = signed_in_user(request)
    tenant = getattr(request, "tenant", None)
    if request.method == "POST":
        ensure_not_impersonating(request, gettext_lazy("create API keys"))
    form = ApiKeyForm(request.POST or None, tenant=tenant, user=user, request=request)
    created: tuple[ApiKey, str] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            created = create_api_key(
                user=user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(user_time_zone(request)),
            )
        except ValidationError as error:
            apply_service_errors(form, _rename_expiry(error))
        else:
            form = ApiKeyForm(tenant=tenant, user=user, request=request)
    own_keys = list(ApiKey.objects.filter(user=user)[:LIST_LIMIT])
    other_keys = (
        list(ApiKey.objects.exclude(user=user).select_related("user")[:LIST_LIMIT]) if _can_manage_all(user) else None
    )
    context = {
        "form": form,
        "scope_groups": form.scope_groups,
        "chosen_scopes": set(form["scopes"].value() or []),
        "own_keys": own_keys,
        "other_keys": other_keys,
        "created_key": created[0] if created else None,
        "plaintext": created[1] if created else None,
        "date_hint": format_hint(),
    }
    status = 201 if created else form_status(form)
    response = render(request, "identity/api_keys/list.html", context, status=status)
    if created:
        response["Cache-Control"] = "no-store"  # the plaintext key must not stay in any cache
    return response


def _rename_expiry(error: ValidationError) -> ValidationError:
    """The service names ``expires_at``; the form's field is ``expires_on``."""
    if hasattr(error, "error_dict") and "expires_at" in error.error_dict:
        errors = dict(error.error_dict)
        errors["expires_on"] = errors.pop("expires_at")
        return ValidationError(errors)
    return error


@login_required
@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    keys = ApiKey.objects.select_related("user")
    if not _can_manage_all(user):
        keys = keys.filter(user=user)  # someone else's key does not exist for this user
    api_key = keys.filter(pk=pk).first()
    if api_key is None:
        raise Http404(_("No such API key."))
    revoke_api_key(api_key, by=user)
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request, "identity/api_keys/row.html", {"api_key": api_key, "show_owner": api_key.user_id != user.pk}
        )
    messages.success(request, _("The API key “%(name)s” is revoked.") % {"name": api_key.name})
    return redirect("api-keys:list")
