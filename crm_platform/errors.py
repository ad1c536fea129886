"""Error pages; API paths get RFC 9457 problem documents instead of HTML."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _problem(status: int, title: str) -> JsonResponse:
    return JsonResponse(
        {"type": "about:blank", "title": title, "status": status},
        status=status,
        content_type="application/problem+json",
    )


def _wants_problem(request: HttpRequest) -> bool:
    return request.path.startswith(("/api/", "/graphql/"))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_problem(request):
        return _problem(404, _("Not found"))
    return render(request, "errors/404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_problem(request):
        return _problem(403, _("Forbidden"))
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_problem(request):
        return _problem(500, _("Server error"))
    return render(request, "errors/500.html", status=500)
