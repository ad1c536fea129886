"""The public tracking URLs of composed mail on the tenant's host: ``/mail/p/o/<token>/`` (the open
image, a 1×1 GIF) and ``/mail/p/c/<token>/`` (a click: counted, then redirected to the link the
token carries). A token of another workspace, an altered one, or one for a message that is gone or
untracked is a 404 and counts nothing. Requests count towards a per-address limit."""

from __future__ import annotations

import base64

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET

from identity.client_address import client_address
from modules.mailboxes.services.tracking import read_click, read_open, record

REQUESTS_PER_WINDOW = 600
WINDOW_SECONDS = 600
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _over_limit(request: HttpRequest) -> bool:
    key = f"mail-tracking:{client_address(request)}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    return int(cache.incr(key)) > REQUESTS_PER_WINDOW


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    if _over_limit(request):
        return HttpResponse("Too many requests", status=429, content_type="text/plain")
    message_id = read_open(token)
    if message_id is None or not record(message_id, click=False):
        raise Http404
    return _private(HttpResponse(PIXEL, content_type="image/gif"))


@require_GET
def click(request: HttpRequest, token: str) -> HttpResponse:
    if _over_limit(request):
        return HttpResponse("Too many requests", status=429, content_type="text/plain")
    found = read_click(token)
    if found is None or not record(found[0], click=True):
        raise Http404
    return _private(HttpResponseRedirect(found[1]))
