"""The public consent pages on the workspace's host, reached by signed links without signing in.

- ``/m/u/<token>/``: a POST of ``List-Unsubscribe=One-Click`` (RFC 8058, sent by mailbox providers
  without cookies) unsubscribes at once and is the only CSRF-exempt view here; a GET shows the
  preference page and never changes anything (mail scanners open links).
- ``/m/u/<token>/preferences/``: the preference page's form (CSRF-protected like any form).
- ``/m/confirm/<token>/``: the double opt-in link; the GET asks, the POST confirms.

A forged or altered token, or one of another workspace (the signature is salted with its schema),
is a 404 and records nothing. Requests are counted per client address, and failures more strictly,
so links cannot be guessed at speed."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.input_bounds import without_control_characters
from identity.client_address import client_address
from modules.contacts.models import Contact
from modules.marketing.choices import SuppressionReason
from modules.marketing.consent.choices import ConsentSource
from modules.marketing.consent.selectors import contact_language, current_consents
from modules.marketing.consent.services.consent import record_consent
from modules.marketing.consent.services.opt_in import confirm_opt_in, find_request
from modules.marketing.consent.services.suppression import suppress
from modules.marketing.consent.throttle import exceeded, within_limit
from modules.marketing.consent.tokens import UnsubscribeToken, read_unsubscribe_token
from modules.marketing.models import Topic
from modules.marketing.selectors.audience import is_suppressed
from modules.registry import is_enabled

REQUESTS_PER_WINDOW = 120
FAILURES_PER_WINDOW = 20
# RFC 8058's one-click POST comes from the mailbox provider, which posts for all its users from a
# few addresses: it is counted per link (token), under a ceiling per address only a flood reaches.
ONE_CLICK_PER_TOKEN = 10
ONE_CLICK_PER_ADDRESS = 10_000


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _message(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    context = {"title": title, "text": text}
    return _private(render(request, "marketing_consent/public/message.html", context, status=status))


def _not_found(request: HttpRequest) -> HttpResponse:
    within_limit("public-failure", client_address(request) or "-", FAILURES_PER_WINDOW)
    return _message(request, 404, _("Link not found"), _("This link is not valid. Check that it was copied whole."))


def _refused(request: HttpRequest) -> HttpResponse | None:
    """The answer to a client over its limits or a workspace without marketing, else None."""
    who = client_address(request) or "-"
    if not within_limit("public", who, REQUESTS_PER_WINDOW) or exceeded("public-failure", who, FAILURES_PER_WINDOW):
        return _too_many(request)
    if not is_enabled(getattr(request, "tenant", None), "marketing"):
        return _not_found(request)
    return None


def _too_many(request: HttpRequest) -> HttpResponse:
    return _message(request, 429, _("Too many attempts"), _("Wait a few minutes and try again."))


def _refused_one_click(request: HttpRequest) -> HttpResponse | None:
    """``_refused`` for the one-click POST: the generous per-address ceiling (the per-link count
    follows once the token is known to be good)."""
    who = client_address(request) or "-"
    if not within_limit("one-click", who, ONE_CLICK_PER_ADDRESS) or exceeded(
        "public-failure", who, FAILURES_PER_WINDOW
    ):
        return _too_many(request)
    if not is_enabled(getattr(request, "tenant", None), "marketing"):
        return _not_found(request)
    return None


def _proof(request: HttpRequest, **extra: object) -> dict[str, object]:
    agent = without_control_characters(str(request.META.get("HTTP_USER_AGENT", "")))[:300]
    return {"ip": client_address(request), "user_agent": agent, **extra}


def _token(request: HttpRequest, token: str) -> UnsubscribeToken | None:
    found = read_unsubscribe_token(token)
    return found if found is not None and found.email else None


def _unsubscribe(request: HttpRequest, found: UnsubscribeToken, source: str) -> None:
    """Withdraw the token's topic, or put its address on the suppression list."""
    contact = Contact.objects.filter(pk=found.contact_id).first()
    topic = Topic.objects.filter(pk=found.topic_id).first() if found.topic_id is not None else None
    proof = _proof(request, send=found.send_id)
    if contact is not None and topic is not None:
        record_consent(contact, topic, granted=False, source=source, proof=proof)
    else:
        suppress(found.email, reason=SuppressionReason.UNSUBSCRIBED, source=source, proof=proof)


@csrf_exempt  # RFC 8058: the mailbox provider posts without cookies; the signed token is the proof
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    one_click = request.method == "POST"
    refused = _refused_one_click(request) if one_click else _refused(request)
    if refused is not None:
        return refused
    found = _token(request, token)
    if found is None:
        return _not_found(request)
    if one_click:
        if not within_limit("one-click-link", hashlib.sha256(token.encode()).hexdigest(), ONE_CLICK_PER_TOKEN):
            return _too_many(request)
        if request.POST.get("List-Unsubscribe") != "One-Click":
            return _private(
                HttpResponse(_("List-Unsubscribe: expected One-Click."), status=400, content_type="text/plain")
            )
        _unsubscribe(request, found, ConsentSource.UNSUBSCRIBE_LINK)
        return _private(HttpResponse(_("You are unsubscribed."), content_type="text/plain; charset=utf-8"))
    return _preference_page(request, token, found)


def _preference_page(
    request: HttpRequest, token: str, found: UnsubscribeToken, *, saved: bool = False, errors: dict | None = None
) -> HttpResponse:
    contact = Contact.objects.filter(pk=found.contact_id).first()
    language = contact_language(contact.pk if contact is not None else None)
    with translation.override(language):
        consents = current_consents(contact) if contact is not None else {}
        topics = [
            {"topic": topic, "checked": topic.pk in consents and consents[topic.pk].status == "granted"}
            for topic in Topic.objects.filter(is_active=True)
        ]
        context = {
            "token": token,
            "email": found.email,
            "topics": topics if contact is not None else [],
            "suppressed": is_suppressed(found.email),
            "saved": saved,
            "errors": errors or {},
            "workspace": getattr(getattr(request, "tenant", None), "name", ""),
            "language": language,
        }
        response = render(request, "marketing_consent/public/preferences.html", context, status=400 if errors else 200)
        response["Content-Language"] = language
    return _private(response)


@require_POST
def save_preferences(request: HttpRequest, token: str) -> HttpResponse:
    refused = _refused(request)
    if refused is not None:
        return refused
    found = _token(request, token)
    if found is None:
        return _not_found(request)
    contact = Contact.objects.filter(pk=found.contact_id).first()
    with translation.override(contact_language(contact.pk if contact is not None else None)):
        if request.POST.get("everything") == "1" or contact is None:
            suppress(
                found.email, reason=SuppressionReason.UNSUBSCRIBED, source=ConsentSource.PREFERENCE_PAGE,
                proof=_proof(request, send=found.send_id),
            )  # fmt: skip
            return _preference_page(request, token, found, saved=True)
        chosen = request.POST.getlist("topics")
        if len(chosen) > 500 or not all(value.isdigit() and len(value) < 12 for value in chosen):
            return _preference_page(request, token, found, errors={"topics": _("Choose topics from the list.")})
        wanted = {int(value) for value in chosen}
        consents = current_consents(contact)
        proof = _proof(request, send=found.send_id, language=translation.get_language())
        try:
            for topic in Topic.objects.filter(is_active=True):
                current = consents.get(topic.pk)
                if topic.pk in wanted and (current is None or current.status != "granted"):
                    record_consent(contact, topic, granted=True, source=ConsentSource.PREFERENCE_PAGE, proof=proof)
                elif topic.pk not in wanted and current is not None and current.status != "withdrawn":
                    record_consent(contact, topic, granted=False, source=ConsentSource.PREFERENCE_PAGE, proof=proof)
        except ValidationError as error:
            return _preference_page(request, token, found, errors={"topics": " ".join(error.messages)})
    return _preference_page(request, token, found, saved=True)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    refused = _refused(request)
    if refused is not None:
        return refused
    opt_in = find_request(token)
    if opt_in is None:
        return _not_found(request)
    with translation.override(opt_in.language or contact_language(opt_in.contact_id)):
        if request.method == "POST":
            agent = without_control_characters(str(request.META.get("HTTP_USER_AGENT", "")))
            confirm_opt_in(token, ip_address=client_address(request), user_agent=agent)
            return _message(
                request, 200, _("Subscription confirmed"),
                _("Thank you: you will receive “%(topic)s”.") % {"topic": opt_in.topic.name},
            )  # fmt: skip
        context = {"opt_in": opt_in, "workspace": getattr(getattr(request, "tenant", None), "name", "")}
        response = render(request, "marketing_consent/public/confirm.html", context)
        response["Content-Language"] = translation.get_language() or ""
    return _private(response)
