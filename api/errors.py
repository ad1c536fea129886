"""Errors the API middlewares answer before any view runs, in the shape of the protocol asked:
an RFC 9457 problem document under /api/, a GraphQL ``errors`` body under /graphql/."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.functional import Promise

from api.rest.problems import PROBLEM_BASE

API_PREFIXES = ("/api/", "/graphql/")


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIXES)


def api_error(
    request: HttpRequest, *, status: int, problem: str, graphql_code: str, title: str | Promise, detail: str
) -> JsonResponse:
    """``detail`` as a GraphQL error with ``graphql_code``, or a problem of type ``problem``."""
    if request.path.startswith("/graphql/"):
        return JsonResponse({"errors": [{"message": detail, "extensions": {"code": graphql_code}}]}, status=status)
    body = {
        "type": f"{PROBLEM_BASE}{problem}",
        "title": str(title),
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    return JsonResponse(body, status=status, content_type="application/problem+json")
