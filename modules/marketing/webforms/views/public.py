"""The public side of web forms, on the tenant's host and without signing in: the hosted page
``/f/<key>/``, the embed script's JSON (``config``, ``submit``, with CORS for the form's allowed
origins only) and the thank-you page. A form of another workspace, an inactive form, or a workspace
without marketing is a 404 that records nothing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from identity.client_address import client_address
from modules.marketing.webforms import protection
from modules.marketing.webforms.captcha import CAPTCHA_FIELD, captcha_problem, new_challenge
from modules.marketing.webforms.models import WebForm
from modules.marketing.webforms.models.submission import UTM_KEYS
from modules.marketing.webforms.presentation import consent_boxes, inputs, submit_label, thank_you
from modules.marketing.webforms.services.submissions import Visit, record_spam, submit
from modules.registry import is_enabled

MAX_BODY_BYTES = 64 * 1024
PAGE_FIELD = "_page"


def _form(request: HttpRequest, key: str) -> WebForm:
    if not is_enabled(getattr(request, "tenant", None), "marketing") or len(key) > 60:
        raise Http404
    form = WebForm.objects.filter(key=key, is_active=True).first()
    if form is None:
        raise Http404
    return form


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _own_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}".lower()


def _origin_allowed(request: HttpRequest, form: WebForm) -> bool:
    """A request without Origin is not a browser's cross-site one; a browser's must come from this
    host or one of the form's allowed origins."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    origin = origin.lower()
    return origin == _own_origin(request) or origin in form.allowed_origins


def _cors(request: HttpRequest, form: WebForm, response: HttpResponse) -> HttpResponse:
    origin = (request.headers.get("Origin") or "").lower()
    if origin and origin in form.allowed_origins:
        response["Access-Control-Allow-Origin"] = origin
    response["Vary"] = "Origin"
    return response


def _preflight(request: HttpRequest, form: WebForm) -> HttpResponse:
    if (request.headers.get("Origin") or "").lower() not in form.allowed_origins:
        return _private(HttpResponse(status=403))
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = "GET, POST"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "600"
    return _cors(request, form, response)


def _refused_origin(request: HttpRequest) -> HttpResponse:
    return _private(JsonResponse({"errors": {"__all__": [_("This site may not use the form.")]}}, status=403))


def _count_view(form: WebForm) -> None:
    WebForm.objects.filter(pk=form.pk).update(views=F("views") + 1)


def _utm(source: Mapping[str, Any]) -> dict[str, str]:
    return {key: str(source.get(key) or "")[:200] for key in UTM_KEYS if source.get(key)}


def _page_context(form: WebForm, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "form": form, "inputs": inputs(form), "consents": consent_boxes(form), "token": protection.render_token(form),
        "honeypot": protection.HONEYPOT, "token_name": protection.TOKEN, "submit_label": submit_label(form),
        "utm": _utm(request.GET), "page_field": PAGE_FIELD, "captcha_field": CAPTCHA_FIELD,
        "submit_url": reverse("marketing-forms-public:submit", args=[form.key]),
        "captcha_url": reverse("marketing-forms-public:captcha", args=[form.key]), **extra,
    }  # fmt: skip


@require_GET
def hosted_page(request: HttpRequest, key: str) -> HttpResponse:
    form = _form(request, key)
    _count_view(form)
    with translation.override(form.language):
        return _private(render(request, "marketing_forms/public/page.html", _page_context(form, request)))


@require_GET
def thanks_page(request: HttpRequest, key: str) -> HttpResponse:
    form = _form(request, key)
    with translation.override(form.language):
        context = {"form": form, "message": thank_you(form)}
        return _private(render(request, "marketing_forms/public/thanks.html", context))


@csrf_exempt
@require_http_methods(["GET", "OPTIONS"])
def config(request: HttpRequest, key: str) -> HttpResponse:
    """What the embed script renders: the inputs, consent boxes and a fresh render token."""
    form = _form(request, key)
    if request.method == "OPTIONS":
        return _preflight(request, form)
    if not _origin_allowed(request, form):
        return _refused_origin(request)
    _count_view(form)
    with translation.override(form.language):
        body = {
            "key": form.key, "language": form.language, "inputs": inputs(form), "consents": consent_boxes(form),
            "token": protection.render_token(form), "token_name": protection.TOKEN, "honeypot": protection.HONEYPOT,
            "submit_label": submit_label(form), "submit_url": request.build_absolute_uri(
                reverse("marketing-forms-public:submit", args=[form.key])
            ),
            "captcha_url": request.build_absolute_uri(reverse("marketing-forms-public:captcha", args=[form.key]))
            if form.captcha else None,
            "captcha_field": CAPTCHA_FIELD, "page_field": PAGE_FIELD,
            "texts": {"sending": _("Sending…"), "failed": _("The form could not be sent. Try again."),
                      "working": _("Checking that you are a person…")},
        }  # fmt: skip
    return _private(_cors(request, form, JsonResponse(body)))


@csrf_exempt
@require_http_methods(["GET", "OPTIONS"])
def captcha(request: HttpRequest, key: str) -> HttpResponse:
    """A proof-of-work challenge for a form that asks for one."""
    form = _form(request, key)
    if request.method == "OPTIONS":
        return _preflight(request, form)
    if not form.captcha:
        raise Http404
    if not _origin_allowed(request, form):
        return _refused_origin(request)
    return _private(_cors(request, form, JsonResponse(new_challenge(form))))


def _values(request: HttpRequest) -> tuple[Mapping[str, Any] | None, bool]:
    """The posted values and whether they came as JSON (the embed script) or as a form."""
    if (request.content_type or "") == "application/json":
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return None, True
        if not isinstance(data, dict):
            return None, True
        return data, True
    try:
        return request.POST, False
    except ValueError:  # a malformed multipart body
        return None, False


def _as_text_values(values: Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(values, QueryDict):
        return {key: values.getlist(key) for key in values}
    return dict(values)


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def submit_view(request: HttpRequest, key: str) -> HttpResponse:
    form = _form(request, key)
    if request.method == "OPTIONS":
        return _preflight(request, form)
    wants_json = (request.content_type or "") == "application/json"
    if not _origin_allowed(request, form):
        return _refused_origin(request)
    with translation.override(form.language):
        return _cors(request, form, _submit(request, form, wants_json))


def _submit(request: HttpRequest, form: WebForm, wants_json: bool) -> HttpResponse:
    if len(request.body) > MAX_BODY_BYTES:
        return _problem(request, form, wants_json, {"__all__": [_("The form is too large to send.")]}, {})
    values, wants_json = _values(request)
    if values is None:
        return _problem(request, form, wants_json, {"__all__": [_("The form could not be read.")]}, {})
    values = _as_text_values(values)
    address = client_address(request)
    if not protection.within_limits(form, address):
        return _problem(
            request, form, wants_json, {"__all__": [_("Too many submissions. Try again later.")]}, values, 429
        )
    visit = Visit(
        ip_address=address or None, user_agent=request.headers.get("User-Agent", ""),
        referrer=request.headers.get("Referer", ""), page_url=_first(values.get(PAGE_FIELD)),
        utm={key: _first(values.get(key)) for key in UTM_KEYS},
    )  # fmt: skip
    robot = protection.honeypot_filled({protection.HONEYPOT: _first(values.get(protection.HONEYPOT))})
    robot = robot or protection.token_problem(form, _first(values.get(protection.TOKEN))) is not None
    if robot:
        record_spam(form, {name: _first(value) for name, value in values.items()}, visit=visit)
        return _success(request, form, wants_json)
    if form.captcha and (problem := captcha_problem(form, _first(values.get(CAPTCHA_FIELD)))):
        return _problem(request, form, wants_json, {CAPTCHA_FIELD: [problem]}, values)
    try:
        submit(form, {name: _first(value) for name, value in values.items()}, visit=visit)
    except ValidationError as error:
        return _problem(request, form, wants_json, error.message_dict, values)
    return _success(request, form, wants_json)


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[-1] if value else ""
    return "" if value is None else value


def _success(request: HttpRequest, form: WebForm, wants_json: bool) -> HttpResponse:
    if wants_json:
        return _private(JsonResponse({"ok": True, "message": thank_you(form), "redirect": form.redirect_url or None}))
    if form.redirect_url:
        return HttpResponseRedirect(form.redirect_url)
    return redirect("marketing-forms-public:thanks", key=form.key)


def _problem(
    request: HttpRequest, form: WebForm, wants_json: bool, errors: Mapping[str, list[str]],
    values: Mapping[str, Any], status: int = 400,
) -> HttpResponse:  # fmt: skip
    errors = {name: [str(message) for message in messages] for name, messages in errors.items()}
    if wants_json:
        return _private(JsonResponse({"errors": errors}, status=status))
    shown = {name: _first(value) for name, value in values.items()}
    shown = {name: value for name, value in shown.items() if isinstance(value, str) and "\x00" not in value}
    ticked = {name for name in shown if name.startswith("consent_")}
    context = _page_context(form, request, inputs=inputs(form, values=shown, errors=errors),
                            consents=consent_boxes(form, ticked=ticked), form_errors=errors.get("__all__", []),
                            utm=_utm(shown))  # fmt: skip
    # The visitor started filling the form in when the first page was drawn: a quick correction
    # after an error is no robot, so a good token goes back as it came.
    posted = shown.get(protection.TOKEN, "")
    if protection.token_problem(form, posted) in (None, "too_fast"):
        context["token"] = posted
    return _private(render(request, "marketing_forms/public/page.html", context, status=status))


@require_GET
def embed_script(request: HttpRequest) -> HttpResponse:
    """A stable address for the embed script, pointing at its current (fingerprinted) file."""
    if not is_enabled(getattr(request, "tenant", None), "marketing"):
        raise Http404
    response = HttpResponseRedirect(static("js/marketing-form-embed.js"))
    response["Cache-Control"] = "public, max-age=300"
    return response
