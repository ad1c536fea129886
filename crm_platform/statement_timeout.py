"""Web requests may not hold the database for long: PostgreSQL cancels a statement of a web
process after ``DATABASE_STATEMENT_TIMEOUT_MS`` (set for gunicorn's workers by
``infra/gunicorn.conf.py``; Celery workers and migrations run without one). Without it a request
the client gave up on kept its backend busy for minutes.

A cancelled statement is the server's limit, not a bug: API clients get a 503 in their
protocol's shape (problem+json, or a GraphQL error with code ``QUERY_TIMEOUT``), browsers the
error page with a 503.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from psycopg.errors import QueryCanceled

from api.errors import api_error, is_api_request

logger = logging.getLogger(__name__)

TIMEOUT_CODE = "QUERY_TIMEOUT"


def is_statement_timeout(error: BaseException | None) -> bool:
    """A statement PostgreSQL cancelled (Django wraps psycopg's QueryCanceled)."""
    while error is not None:
        if isinstance(error, QueryCanceled):
            return True
        error = error.__cause__ if isinstance(error, DatabaseError) else None
    return False


def timeout_message() -> str:
    return _("The request took too long and was stopped; ask for less (smaller pages, narrower filters).")


class StatementTimeoutMiddleware:
    """Turns a cancelled statement that escaped a view into a 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_statement_timeout(exception):
            return None
        logger.warning("Statement timeout on %s", request.path)
        if is_api_request(request):
            return api_error(
                request,
                status=503,
                problem="query-timeout",
                graphql_code=TIMEOUT_CODE,
                title=_("Request took too long"),
                detail=timeout_message(),
            )
        return render(request, "errors/500.html", status=503)
