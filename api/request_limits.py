"""Limits on a request to /api/ or /graphql/ checked before any view runs, answered in the
protocol's error shape whatever the DEBUG setting (Django's own refusals would be HTML pages):

- a body declared larger than DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 — except a file upload to a
  record's ``files/``, which may be as large as a file may (ATTACHMENT_MAX_BYTES and the
  multipart framing), and whose 413 names ``file``;
- a query parameter of /api/v1/ longer than its bound (``api.input_limits``) is a 400 naming it:
  a search of a megabyte of words would keep the database busy long after the client gave up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from api.errors import api_error, is_api_request
from api.input_limits import too_long_message
from api.rest.problems import PROBLEM_BASE

REST_PREFIX = "/api/v1/"
FILE_UPLOAD_PATH = re.compile(r"^/api/v1/[a-z-]+/[0-9]+/files/$")
# Room for the multipart boundaries and part headers around the file's bytes.
MULTIPART_FRAMING = 64 * 1024


def body_limit(request: HttpRequest) -> tuple[int | None, str | None]:
    """The most bytes the request's body may declare, and the field a refusal names."""
    if request.method == "POST" and FILE_UPLOAD_PATH.match(request.path):
        return settings.ATTACHMENT_MAX_BYTES + MULTIPART_FRAMING, "file"
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE, None


def declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class RequestLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_request(request):
            return self.get_response(request)
        limit, field = body_limit(request)
        if limit is not None and declared_length(request) > limit:
            response = api_error(
                request,
                status=413,
                problem="request-too-large",
                graphql_code="REQUEST_TOO_LARGE",
                title=_("Request too large"),
                detail=_("The request body may be at most %(limit)s bytes.") % {"limit": limit},
            )
            return response if field is None else with_field_error(response, field)
        if request.path.startswith(REST_PREFIX):
            errors = [
                {"field": name, "message": message}
                for name, values in request.GET.lists()
                for value in values
                if (message := too_long_message(name, len(value)))
            ]
            if errors:
                return parameter_problem(request, errors)
        return self.get_response(request)


def parameter_problem(request: HttpRequest, errors: list[dict[str, str]]) -> JsonResponse:
    """A 400 problem shaped like the REST views' validation errors."""
    body = {
        "type": f"{PROBLEM_BASE}invalid",
        "title": "Invalid input",
        "status": 400,
        "detail": "The request has invalid fields.",
        "errors": errors,
        "instance": request.path,
    }
    return JsonResponse(body, status=400, content_type="application/problem+json")


def with_field_error(response: JsonResponse, field: str) -> JsonResponse:
    """``response`` (a problem) also naming the field that made the body too large."""
    body = json.loads(response.content)
    body["errors"] = [{"field": field, "message": body.get("detail", "")}]
    return JsonResponse(body, status=response.status_code, content_type=response["Content-Type"])
