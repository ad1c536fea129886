"""Signing in to the portal: a password, or a link sent by e-mail (opened, then confirmed with a
button, so a mail scanner fetching the link does not spend it), signing out, the logo."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from identity.locales import is_supported_locale, remember_language
from modules.service.portal.forms import LinkRequestForm, PasswordSignInForm
from modules.service.portal.models import PortalUser
from modules.service.portal.services.sign_in import (
    SIGN_INS_PER_ADDRESS,
    SIGN_INS_PER_EMAIL,
    end_session,
    password_sign_in,
    redeem_link,
    request_link,
    start_session,
    within_limit,
)
from modules.service.portal.views.base import (
    COOKIE_PATH,
    SESSION_COOKIE,
    address,
    message,
    portal_public,
    portal_render,
    private,
    set_session_cookie,
    too_many,
)
from modules.workspace.logo import read_logo
from modules.workspace.services import workspace_profile


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    home = reverse("portal:home")
    if target.startswith(home) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return home


def _signed_in(request: HttpRequest, portal_user: PortalUser, target: str) -> HttpResponse:
    response = redirect(target)
    set_session_cookie(request, response, start_session(portal_user, ip_address=address(request)))
    return private(response)


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
@portal_public
def sign_in(request: HttpRequest) -> HttpResponse:
    form = PasswordSignInForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if not within_limit("sign-in-address", address(request) or "-", SIGN_INS_PER_ADDRESS):
            return too_many(request)
        if form.is_valid():
            email = form.cleaned_data["email"]
            if not within_limit("sign-in-email", email, SIGN_INS_PER_EMAIL):
                return too_many(request)
            portal_user = password_sign_in(email, form.cleaned_data["password"], ip_address=address(request))
            if portal_user is not None:
                return _signed_in(request, portal_user, _next(request))
            form.add_error(None, _("That e-mail and password do not match a portal account here."))
    context = {"form": form, "link_form": LinkRequestForm(), "next": _next(request)}
    return portal_render(request, "service/portal/sign_in.html", context, status=status)


@require_POST
@portal_public
def request_sign_in_link(request: HttpRequest) -> HttpResponse:
    form = LinkRequestForm(request.POST)
    if not form.is_valid():
        context = {"form": PasswordSignInForm(), "link_form": form, "next": _next(request)}
        return portal_render(request, "service/portal/sign_in.html", context, status=400)
    link_base = request.build_absolute_uri(reverse("portal:link", args=["-"]))[: -len("-/")]
    if not request_link(form.cleaned_data["email"], link_base=link_base, ip_address=address(request)):
        return too_many(request)
    return portal_render(request, "service/portal/link_sent.html", {"email": form.cleaned_data["email"]})


@require_http_methods(["GET", "POST"])
@portal_public
def sign_in_link(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "GET":
        return portal_render(request, "service/portal/link.html", {"token": token})
    if not within_limit("sign-in-address", address(request) or "-", SIGN_INS_PER_ADDRESS):
        return too_many(request)
    portal_user = redeem_link(token, ip_address=address(request))
    if portal_user is None:
        return message(
            request, 410, _("Link no longer valid"),
            _("This sign-in link has expired or was already used. Ask for a new one on the sign-in page."),
        )  # fmt: skip
    return _signed_in(request, portal_user, reverse("portal:home"))


@require_POST
@portal_public
def sign_out(request: HttpRequest) -> HttpResponse:
    key = request.COOKIES.get(SESSION_COOKIE, "")
    if key:
        end_session(key, ip_address=address(request))
    response = redirect("portal:sign-in")
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return private(response)


@require_POST
@portal_public
def set_language(request: HttpRequest) -> HttpResponse:
    """The portal's language switch: the language cookie only. A customer is not a staff account,
    so a staff session open in the same browser keeps its own language preference."""
    language = request.POST.get("language", "")
    if not is_supported_locale(language):
        return message(request, 400, _("Unsupported language."), _("Choose one of the languages offered."))
    response = redirect(_next(request))
    remember_language(response, request, language)
    return private(response)


@require_GET
@portal_public
def logo(request: HttpRequest) -> HttpResponse:
    content = read_logo(workspace_profile().logo)
    if content is None:
        return message(request, 404, _("Not found"), _("This workspace has no logo."))
    response = HttpResponse(content, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    return response
