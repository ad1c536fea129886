"""Middleware that runs before tenant routing: request ids and health endpoints."""

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from crm_platform.logging import request_id_var
from tenants.db import tenant_connection

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Take a sane X-Request-ID from the caller or make one; echo it on the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        # Not reset on the way out: Django logs 4xx/5xx responses after the middleware returns,
        # and those lines should carry the id too. The next request on this thread sets its own.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class HealthCheckMiddleware:
    """Answer /healthz, /readyz and /metrics on any host, before tenant routing needs the database.

    /healthz says the process is alive; /readyz checks PostgreSQL, the cache and the task broker;
    /metrics is Prometheus's, for a scraper holding ``METRICS_TOKEN`` (404 while none is set).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            return readiness()
        if request.path == "/metrics":
            return metrics(request)
        return self.get_response(request)


def metrics(request: HttpRequest) -> HttpResponse:
    import hmac

    from prometheus_client import CONTENT_TYPE_LATEST

    from crm_platform.metrics import exposition

    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        response = HttpResponse("Unauthorized", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


def readiness() -> JsonResponse:
    from django.core.cache import cache

    checks: dict[str, str] = {}
    try:
        db = tenant_connection()
        db.set_schema_to_public()
        with db.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # report, never raise: this is the health endpoint
        checks["database"] = f"error: {type(error).__name__}"
    try:
        cache.set("readyz", "1", timeout=5)
        checks["redis"] = "ok" if cache.get("readyz") == "1" else "error: readback"
    except Exception as error:
        checks["redis"] = f"error: {type(error).__name__}"
    try:
        from crm_platform.console.fleet import _broker_client

        checks["broker"] = "ok" if _broker_client().ping() else "error: no answer"
    except Exception as error:
        checks["broker"] = f"error: {type(error).__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
