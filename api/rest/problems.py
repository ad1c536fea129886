"""RFC 9457 problem details for every API error, with field errors named.

A problem's ``type`` is ``PROBLEM_BASE`` plus a kebab-case code (``not-found``, ``csrf-failed``,
``tenant-read-only`` from tenants.middleware, ``module-not-in-plan`` with the module's key in
``module``), so clients can branch on it.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from modules.plan_gate import ModuleNotInPlan, not_in_plan_title

PROBLEM_BASE = "https://relata.dev/problems/"


class ModuleNotInPlanError(exceptions.PermissionDenied):
    """``modules.plan_gate.ModuleNotInPlan`` as an API error (DRF would make it a plain 403)."""

    default_code = "module_not_in_plan"

    def __init__(self, refusal: ModuleNotInPlan) -> None:
        super().__init__(str(refusal))
        self.module = refusal.module


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, ModuleNotInPlan):
        exc = ModuleNotInPlanError(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = str(getattr(exc, "default_code", "error"))
    if isinstance(exc, Http404):
        code = "not_found"
    elif isinstance(exc, PermissionDenied):
        code = "permission_denied"
    body: dict[str, Any] = {
        "type": f"{PROBLEM_BASE}{code.replace('_', '-')}",
        "title": _title(response.status_code, exc),
        "status": response.status_code,
    }
    if isinstance(exc, exceptions.ValidationError):
        body["detail"] = "The request has invalid fields."
        body["errors"] = _field_errors(response.data)
    elif isinstance(response.data, dict) and "detail" in response.data:
        body["detail"] = str(response.data["detail"])
    if isinstance(exc, ModuleNotInPlanError):
        body["title"] = not_in_plan_title()
        body["module"] = exc.module
    request = context.get("request")
    if request is not None:
        body["instance"] = request.path
    response.data = body
    response.content_type = "application/problem+json"
    return response


def _title(status_code: int, exc: Exception) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "Invalid input"
    return {
        status.HTTP_401_UNAUTHORIZED: "Not authenticated",
        status.HTTP_403_FORBIDDEN: "Forbidden",
        status.HTTP_404_NOT_FOUND: "Not found",
        status.HTTP_405_METHOD_NOT_ALLOWED: "Method not allowed",
        status.HTTP_429_TOO_MANY_REQUESTS: "Too many requests",
    }.get(status_code, "Error")


def _field_errors(data: Any, prefix: str = "") -> list[dict[str, str]]:
    """Flatten DRF's nested error structure into [{"field": "a.b", "message": "..."}]."""
    errors: list[dict[str, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            errors.extend(_field_errors(value, name))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            if isinstance(value, dict | list):
                errors.extend(_field_errors(value, f"{prefix}[{index}]" if prefix else str(index)))
            else:
                errors.append({"field": prefix or "non_field_errors", "message": str(value)})
    else:
        errors.append({"field": prefix or "non_field_errors", "message": str(data)})
    return errors
