"""The answer to a request for a module the tenant's plan does not include: a 403 page for
browsers, a problem document for API paths. Views raise ``modules.plan_gate.ModuleNotInPlan``;
``ModuleNotInPlanMiddleware`` turns it into ``not_in_plan_response``."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from crm_platform.errors import problem_response, wants_problem
from modules.plan_gate import ModuleNotInPlan, not_in_plan_message, not_in_plan_title
from modules.registry import MODULES_BY_KEY, is_enabled, module_of_namespace

PROBLEM_TYPE = "https://relata.dev/problems/module-not-in-plan"


def not_in_plan_response(request: HttpRequest, module: str) -> HttpResponse:
    message = not_in_plan_message(module)
    if wants_problem(request):
        # The module's key lets clients branch on it.
        return problem_response(
            403, not_in_plan_title(), message, problem_type=PROBLEM_TYPE, module=module, instance=request.path
        )
    context = {"module": MODULES_BY_KEY[module], "message": message}
    response = render(request, "errors/not_in_plan.html", context, status=403)
    if request.headers.get("HX-Request"):
        # htmx does not swap error responses: reload the whole page, which then shows this one.
        response["HX-Refresh"] = "true"
    return response


class ModuleNotInPlanMiddleware:
    """Answers ``ModuleNotInPlan`` raised by a view with ``not_in_plan_response``, and a signed-in
    request for a page under a URL namespace a module declares (its settings pages) when the tenant
    lacks the module."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], *args: object
    ) -> HttpResponse | None:
        match = request.resolver_match
        tenant = getattr(request, "tenant", None)
        if match is None or tenant is None or not request.user.is_authenticated:
            return None
        for namespace in match.namespaces:
            module = module_of_namespace(namespace)
            if module is not None and not is_enabled(tenant, module):
                return not_in_plan_response(request, module)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ModuleNotInPlan):
            return not_in_plan_response(request, exception.module)
        return None
