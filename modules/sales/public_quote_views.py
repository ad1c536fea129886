"""A quote's public page (``/quote/<token>/``): the customer, without signing in, reads the quote,
downloads its PDF and accepts or declines it.

An unknown token (or one of another workspace: tokens are looked up in the host's schema) is a
404, a withdrawn or expired link a 410, an answer to a quote already answered a 410; none of them
changes anything. Every request counts towards a per-address limit (``PUBLIC_REQUESTS_PER_WINDOW``,
answers ``ANSWERS_PER_WINDOW``), so tokens cannot be guessed at speed. The forms carry Django's
CSRF token like any other."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from identity.client_address import client_address
from modules.registry import is_enabled
from modules.sales.models import QuoteShare
from modules.sales.quote_pdf import format_date, render_quote_pdf, workspace_seller
from modules.sales.services.quote_sharing import (
    NAME_MAX_LENGTH,
    REASON_MAX_LENGTH,
    ShareGone,
    accept_shared_quote,
    decline_shared_quote,
    resolve,
)
from modules.sales.services.quotes import compute_totals
from modules.workspace.logo import read_logo
from modules.workspace.services import workspace_profile

PUBLIC_REQUESTS_PER_WINDOW = 60
ANSWERS_PER_WINDOW = 10
WINDOW_SECONDS = 600

View = Callable[..., HttpResponse]


class AcceptForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Your full name"), max_length=NAME_MAX_LENGTH,
        error_messages={"required": gettext_lazy("Type your full name to accept.")},
    )  # fmt: skip


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why not? (optional)"), max_length=REASON_MAX_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


def _message(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    response = render(request, "sales/public_quote/message.html", {"title": title, "text": text}, status=status)
    return _private(response)


def _private(response: HttpResponse) -> HttpResponse:
    # A secret page: kept out of shared caches and search engines. The site's referrer policy
    # (same-origin) already keeps the link from other sites; "no-referrer" would make the browser
    # send "Origin: null" with the forms, which CSRF protection rightly refuses.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _over_limit(request: HttpRequest, kind: str, limit: int) -> bool:
    key = f"quote-public:{kind}:{client_address(request)}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    return int(cache.incr(key)) > limit


def shared_quote(view: View) -> View:
    """Resolves ``token`` to its share, or answers 429 / 404 / 410 with a page of its own."""

    @wraps(view)
    def wrapped(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
        if _over_limit(request, "requests", PUBLIC_REQUESTS_PER_WINDOW) or (
            request.method == "POST" and _over_limit(request, "answers", ANSWERS_PER_WINDOW)
        ):
            return _message(request, 429, _("Too many attempts"), _("Wait a few minutes and try again."))
        not_found = _message(
            request, 404, _("Link not found"), _("This link is not valid. Check that it was copied whole.")
        )
        if not is_enabled(getattr(request, "tenant", None), "sales"):
            return not_found
        try:
            share = resolve(token)
        except ShareGone as gone:
            return _message(request, 410, _("Link no longer valid"), str(gone))
        if share is None:
            return not_found
        return _private(view(request, share, token=token, **kwargs))

    return wrapped


def _page(
    request: HttpRequest, share: QuoteShare, token: str, *, accept: AcceptForm | None = None,
    decline: DeclineForm | None = None, status: int = 200,
) -> HttpResponse:  # fmt: skip
    quote = share.quote
    profile = workspace_profile()
    lines = list(quote.lines.order_by("position", "id"))
    totals = compute_totals(lines, quote.discount_percent)
    context = {
        "share": share,
        "quote": quote,
        "token": token,
        "profile": profile,
        "seller_name": request.tenant.name,  # type: ignore[attr-defined]
        "rows": [
            {"line": line, "net": amounts.net, "total": amounts.net + amounts.tax}
            for line, amounts in zip(lines, totals.lines, strict=True)
        ],
        "issued_on": format_date(quote.issued_on, profile.date_format) if quote.issued_on else "",
        "valid_until": format_date(quote.valid_until, profile.date_format) if quote.valid_until else "",
        "answered_on": format_date(share.answered_at.date(), profile.date_format) if share.answered_at else "",
        "accept_form": accept or AcceptForm(),
        "decline_form": decline or DeclineForm(),
        "open": share.answered_at is None,
    }
    return render(request, "sales/public_quote/quote.html", context, status=status)


@require_GET
@shared_quote
def public_quote(request: HttpRequest, share: QuoteShare, *, token: str) -> HttpResponse:
    return _page(request, share, token)


@require_GET
@shared_quote
def public_quote_pdf(request: HttpRequest, share: QuoteShare, *, token: str) -> HttpResponse:
    quote = share.quote
    content = render_quote_pdf(quote, list(quote.lines.order_by("position", "id")), seller=workspace_seller())
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.number}.pdf"'
    return response


@require_GET
@shared_quote
def public_quote_logo(request: HttpRequest, share: QuoteShare, *, token: str) -> HttpResponse:
    content = read_logo(workspace_profile().logo)
    if content is None:
        return _message(request, 404, _("Link not found"), _("This quote has no logo."))
    response = HttpResponse(content, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _answered(request: HttpRequest, share: QuoteShare, answer: Callable[[], object], form: forms.Form,
              token: str) -> HttpResponse:  # fmt: skip
    try:
        answer()
    except ShareGone as gone:
        return _message(request, 410, _("Already answered"), str(gone))
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        forms_by_kind = {"accept": form} if isinstance(form, AcceptForm) else {"decline": form}
        return _page(request, share, token, status=400, **forms_by_kind)  # type: ignore[arg-type]
    return redirect("quote-public:page", token=token)


@require_POST
@shared_quote
def public_quote_accept(request: HttpRequest, share: QuoteShare, *, token: str) -> HttpResponse:
    form = AcceptForm(request.POST)
    if not form.is_valid():
        return _page(request, share, token, accept=form, status=400)
    name = form.cleaned_data["name"]
    return _answered(
        request, share, lambda: accept_shared_quote(share, name=name, ip_address=client_address(request)), form, token
    )


@require_POST
@shared_quote
def public_quote_decline(request: HttpRequest, share: QuoteShare, *, token: str) -> HttpResponse:
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _page(request, share, token, decline=form, status=400)
    reason = form.cleaned_data["reason"]
    return _answered(
        request, share, lambda: decline_shared_quote(share, reason=reason, ip_address=client_address(request)),
        form, token,
    )  # fmt: skip
