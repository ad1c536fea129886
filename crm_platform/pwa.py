"""The workspace as an installable web app: its manifest, the service worker and the page it
shows offline, plus the favicon every host answers ``/favicon.ico`` with.

The service worker keeps only the offline page and the static files it needs: pages hold a
tenant's records, and a shared device must not find them in a cache after signing out. A
navigation that fails for want of a network shows the offline page; everything else goes to the
network as if there were no worker."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

THEME_COLOR = "#212529"  # the navigation bar's
BACKGROUND_COLOR = "#f8f9fa"


def _workspace_name(request: HttpRequest) -> str:
    tenant = getattr(request, "tenant", None)
    return str(getattr(tenant, "name", "") or "Relata")


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    name = _workspace_name(request)
    response = JsonResponse(
        {
            "name": name,
            "short_name": name[:12],
            "description": _("%(workspace)s on Relata") % {"workspace": name},
            "id": "/",
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "theme_color": THEME_COLOR,
            "background_color": BACKGROUND_COLOR,
            "icons": [
                {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": static("img/icon-maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )
    response["Content-Type"] = "application/manifest+json"
    return response


@lru_cache(maxsize=1)
def _worker_source() -> str:
    path = finders.find("js/service-worker.js")
    return Path(str(path)).read_text(encoding="utf-8") if path else ""


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """Served from the root, so its scope is the whole workspace; the files it caches are named
    by the page through the query string of its registration (hashed static names change)."""
    source = _worker_source.__wrapped__() if settings.DEBUG else _worker_source()
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
@cache_control(max_age=3600)
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "offline.html", {"workspace": _workspace_name(request)})


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    return redirect(static("img/favicon.ico"), permanent=True)
