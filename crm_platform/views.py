"""Pages that belong to the platform rather than to a module."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from crm_platform.errors import problem_response, wants_problem


def unknown_host(request: HttpRequest) -> HttpResponse:
    """No tenant lives at this host: say so plainly, show nothing else."""
    if wants_problem(request):
        return problem_response(404, _("No workspace at this address"), _("No workspace is served at this address."))
    return render(request, "errors/unknown_host.html", {"host": request.get_host().split(":")[0]}, status=404)


def api_not_found(request: HttpRequest, route: str = "") -> HttpResponse:
    """Any /api/ path no endpoint serves: a problem document even with DEBUG on (Django's
    handler404 is skipped then, and its page would be HTML)."""
    return problem_response(
        404, _("Not found"), problem_type="https://relata.dev/problems/not-found", instance=request.path
    )
