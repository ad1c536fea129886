"""A share link's download (``/collateral/shared/<token>/``), without signing in: the token is
signed with the workspace's schema in its salt and carries its expiry, so a forged, altered,
expired or other workspace's link — or one of an archived item — is a 404 naming nothing. Every
request counts towards a per-address limit, like the other public pages."""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from identity.client_address import client_address
from modules.marketing.collateral.services import download_response, shared_item
from modules.registry import is_enabled

REQUESTS_PER_WINDOW = 30
WINDOW_SECONDS = 600


def _over_limit(request: HttpRequest) -> bool:
    key = f"collateral-public:{client_address(request)}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    return int(cache.incr(key)) > REQUESTS_PER_WINDOW


@require_GET
def shared_download(request: HttpRequest, token: str) -> HttpResponseBase:
    if _over_limit(request):
        return HttpResponse(status=429)
    if not is_enabled(getattr(request, "tenant", None), "marketing"):
        raise Http404
    item = shared_item(token)
    if item is None or item.current_version is None:
        raise Http404
    response = download_response(item.current_version)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
