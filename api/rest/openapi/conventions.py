"""What every operation of the API shares, added to the generated document: the problem document
of its errors, the ``RateLimit-*`` headers and the 429 of the rate limits, and the
``Idempotency-Key`` header of POST and PATCH (``api.throttling``, ``api.idempotency``)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from api.idempotency.middleware import HEADER as IDEMPOTENCY_HEADER
from api.idempotency.middleware import MAX_KEY_LENGTH, REPLAYED_HEADER
from api.idempotency.middleware import METHODS as IDEMPOTENT_METHODS

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
HTTP_METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")


def problem_schema() -> dict[str, Any]:
    """RFC 9457 problem details, with field errors (api.rest.problems)."""
    return {
        "type": "object",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                    "required": ["field", "message"],
                },
            },
        },
        "required": ["type", "title", "status"],
    }


def rate_limit_headers() -> dict[str, Any]:
    integer = {"schema": {"type": "integer", "minimum": 0}}
    return {
        "RateLimit-Limit": {"description": _("Requests allowed in the window of the tightest limit."), **integer},
        "RateLimit-Remaining": {"description": _("Requests left in that window."), **integer},
        "RateLimit-Reset": {"description": _("Seconds until that limit is whole again."), **integer},
        "RateLimit-Policy": {
            "description": _("Every limit that applies, e.g. 600;w=60 (600 requests per 60 seconds)."),
            "schema": {"type": "string"},
        },
    }


def error_responses(method: str, has_path_parameters: bool) -> dict[str, dict[str, Any]]:
    """The errors any operation may answer with, as problem documents."""
    content = {"application/problem+json": {"schema": PROBLEM_REF}}
    errors = {
        "400": _("Invalid input: the problem's errors name each field."),
        "401": _("Not authenticated."),
        "403": _("The credential or the user may not do this, or the module is not in the tenant's plan."),
        "429": _("Too many requests: wait as many seconds as Retry-After says."),
    }
    errors["404"] = (
        _("No such object in this tenant (or not visible to the user).")
        if has_path_parameters
        else _("A cursor that is not one of ours.")
    )
    if method.upper() in IDEMPOTENT_METHODS:
        errors["422"] = _("The Idempotency-Key was used before for a different request.")
    responses = {status: {"description": description, "content": content} for status, description in errors.items()}
    responses["429"]["headers"] = {
        **rate_limit_headers(),
        "Retry-After": {"description": _("Seconds to wait."), "schema": {"type": "integer", "minimum": 1}},
    }
    return responses


def idempotency_parameter() -> dict[str, Any]:
    return {
        "name": IDEMPOTENCY_HEADER,
        "in": "header",
        "required": False,
        "description": _(
            "A key of your choice (printable ASCII, at most %(max)s characters) that makes the request safe "
            "to retry for 24 hours: the same key with the same request returns the first response (with "
            "%(replayed)s: true) instead of doing it again; with a different request it is a 422."
        )
        % {"max": MAX_KEY_LENGTH, "replayed": REPLAYED_HEADER},
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[ -~]+$"},
    }


# drf-spectacular's pattern of a DecimalField, ^-?\d{0,N}(?:\.\d{0,D})?$, admits "" and "-",
# which the server refuses: at least one digit before the point.
LOOSE_DECIMAL = re.compile(r"^\^-\?\\d\{0,([1-9]\d*)\}")


def tighten_decimal_patterns(node: Any) -> None:
    """Every decimal string's pattern in ``node`` (a document or part of one) asks for a digit."""
    if isinstance(node, dict):
        pattern = node.get("pattern")
        if node.get("format") == "decimal" and isinstance(pattern, str):
            node["pattern"] = LOOSE_DECIMAL.sub(lambda match: f"^-?\\d{{1,{match.group(1)}}}", pattern)
        for value in node.values():
            tighten_decimal_patterns(value)
    elif isinstance(node, list):
        for value in node:
            tighten_decimal_patterns(value)


def add_api_conventions(document: dict[str, Any]) -> dict[str, Any]:
    """Add the shared errors, headers and parameters to every operation of ``document``, and
    make decimal patterns admit only what the server reads."""
    tighten_decimal_patterns(document)
    document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = problem_schema()
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            parameters = [*path_item.get("parameters", []), *operation.get("parameters", [])]
            has_path_parameters = any(parameter.get("in") == "path" for parameter in parameters)
            responses = operation.setdefault("responses", {})
            for status, response in error_responses(method, has_path_parameters).items():
                responses.setdefault(status, response)
            idempotent = method.upper() in IDEMPOTENT_METHODS
            for status, response in responses.items():
                if status.startswith("2"):
                    headers = response.setdefault("headers", {})
                    headers.update(rate_limit_headers())
                    if idempotent:
                        headers[REPLAYED_HEADER] = {
                            "description": _("true when this is the stored answer to an earlier request with the key."),
                            "schema": {"type": "string", "enum": ["true"]},
                        }
            if idempotent:
                operation.setdefault("parameters", []).append(idempotency_parameter())
    return document
