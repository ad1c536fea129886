"""The public tracking URLs on the tenant's host: ``/m/o/<token>/`` (the open pixel, a 1×1 GIF) and
``/m/c/<token>/`` (a click: recorded, then redirected to the link the token carries). A token of
another workspace, an altered one or one for a recipient that no longer exists is a 404 and records
nothing; so is a workspace without the marketing module. Requests count towards a per-address
limit like the other public pages."""

from __future__ import annotations

import base64

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET

from identity.client_address import client_address
from modules.marketing.delivery.services.engagement import record_click, record_open
from modules.marketing.delivery.tracking import read_click_token, read_open_token
from modules.registry import is_enabled

# Mail clients fetch many images at once; the limit is generous but stops guessing at speed.
REQUESTS_PER_WINDOW = 600
WINDOW_SECONDS = 600
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _over_limit(request: HttpRequest) -> bool:
    key = f"marketing-tracking:{client_address(request)}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    return int(cache.incr(key)) > REQUESTS_PER_WINDOW


def _guard(request: HttpRequest) -> HttpResponse | None:
    if _over_limit(request):
        return HttpResponse("Too many requests", status=429, content_type="text/plain")
    if not is_enabled(getattr(request, "tenant", None), "marketing"):
        raise Http404
    return None


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    refused = _guard(request)
    if refused is not None:
        return refused
    recipient_id = read_open_token(token)
    if recipient_id is None or record_open(recipient_id) is None:
        raise Http404
    return _private(HttpResponse(PIXEL, content_type="image/gif"))


@require_GET
def click(request: HttpRequest, token: str) -> HttpResponse:
    refused = _guard(request)
    if refused is not None:
        return refused
    found = read_click_token(token)
    if found is None or record_click(found.recipient_id, found.url) is None:
        raise Http404
    return _private(HttpResponseRedirect(found.url))
