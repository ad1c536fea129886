"""Error pages; API paths get RFC 9457 problem documents instead of HTML."""

import sys

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

from crm_platform.database_outage import database_unavailable, is_connection_lost

PROBLEM_BASE = "https://relata.dev/problems/"


def problem_response(
    status: int, title: str, detail: str = "", *, problem_type: str = "about:blank", **extensions: object
) -> JsonResponse:
    """An RFC 9457 problem document for errors raised outside DRF; ``extensions`` are extra members."""
    body: dict[str, object] = {"type": problem_type, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extensions)
    return JsonResponse(body, status=status, content_type="application/problem+json")


def wants_problem(request: HttpRequest) -> bool:
    """API clients get problem documents; browsers get pages."""
    return request.path.startswith(("/api/", "/graphql/"))


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Requests Django refuses before a view runs (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too
    many fields): a 413 or 400 problem for API clients, Django's page for browsers."""
    if wants_problem(request):
        if isinstance(exception, RequestDataTooBig):
            detail = _("The request body is larger than this server accepts.")
            return problem_response(
                413, _("Request too large"), detail, problem_type=f"{PROBLEM_BASE}request-too-large"
            )
        return problem_response(400, _("Bad request"), problem_type=f"{PROBLEM_BASE}bad-request")
    return defaults.bad_request(request, exception or Exception())


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if wants_problem(request):
        return problem_response(404, _("Not found"))
    return render(request, "errors/404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if wants_problem(request):
        return problem_response(403, _("Forbidden"))
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls the handler while the exception is being handled, so it is still at hand.
    if is_connection_lost(sys.exc_info()[1]):
        return database_unavailable(request)
    if wants_problem(request):
        return problem_response(500, _("Server error"))
    return render(request, "errors/500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF refusals: problem+json for API clients, a page for browsers."""
    detail = _("The CSRF token is missing or wrong; reload the page and try again.")
    if wants_problem(request):
        return problem_response(403, _("CSRF check failed"), detail)
    return render(request, "errors/403.html", {"reason": detail}, status=403)
