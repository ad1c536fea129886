"""A user's own password and e-mail address, on the account pages.

Both ask for the current password (or a current two-factor code) again, and both are refused while
support staff act as the user: how an account signs in stays with its owner."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters

from identity.client_address import client_address
from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from identity.impersonation import not_while_impersonating
from identity.reauth import EmailChangeForm, PasswordChangeForm
from identity.services.accounts import normalize_email
from identity.services.sign_in_details import (
    EmailChangeInvalid,
    change_password,
    confirm_email_change,
    email_change_token,
    pending_email_change,
)
from identity.tasks import send_email_change_confirmation


@login_required
@sensitive_post_parameters("current_password", "new_password", "new_password_confirm")
@not_while_impersonating(gettext_lazy("change the password"))
def password_change(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = PasswordChangeForm(request.POST or None, user=user, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            change_password(user, new_password=form.cleaned_data["new_password"], ip_address=client_address(request))
        except ValidationError as error:
            form.add_error("new_password", error)
        else:
            # Other sessions of the account end (their hash no longer matches); this one goes on.
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password is changed."))
            return redirect("identity:profile")
    return render(request, "identity/password_change.html", {"form": form}, status=form_status(form))


@login_required
@sensitive_post_parameters("current_password")
@not_while_impersonating(gettext_lazy("change the e-mail address"))
def email_change(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = EmailChangeForm(request.POST or None, user=user, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            token = email_change_token(user, form.cleaned_data["email"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            link = request.build_absolute_uri(reverse("identity:email-change-confirm", args=[token]))
            new_email = normalize_email(form.cleaned_data["email"])
            transaction.on_commit(lambda: send_email_change_confirmation.delay(user.pk, new_email, link))
            messages.success(
                request,
                _("We sent a link to %(email)s. Your e-mail address changes once you open it.") % {"email": new_email},
            )
            return redirect("identity:profile")
    return render(request, "identity/email_change.html", {"form": form}, status=form_status(form))


@not_while_impersonating(gettext_lazy("change the e-mail address"))
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail: a GET shows what will change, the POST changes it (so a mail
    scanner that follows links changes nothing)."""
    try:
        if request.method == "POST":
            user = confirm_email_change(token, ip_address=client_address(request))
            messages.success(request, _("You now sign in as %(email)s.") % {"email": user.email})
            return redirect("identity:profile" if request.user.is_authenticated else "identity:login")
        user, new_email = pending_email_change(token)
    except EmailChangeInvalid as error:
        return render(request, "identity/email_change_confirm.html", {"error": str(error)}, status=410)
    return render(request, "identity/email_change_confirm.html", {"account": user, "new_email": new_email})
