"""A database that went away (restarted, failed over, a connection cut) is an outage, not a bug.

A request whose connection is lost answers 503 with ``Retry-After``: the error page for browsers,
a problem document (``database-unavailable``) or a GraphQL error (``DATABASE_UNAVAILABLE``) for API
clients. Nothing it was writing is kept: services own their transaction, and PostgreSQL rolls
back a transaction whose connection ended. Django drops the broken connection when the request
ends (``close_old_connections``) and the next request opens a new one; with persistent
connections (``DATABASE_CONN_MAX_AGE``) the health check (``CONN_HEALTH_CHECKS``) replaces a
connection that died between requests before it is used. The web processes keep running.

The answer is built by the 500 handler (``crm_platform.errors.server_error``): every layer of
middleware turns an exception into a response on its way out, so the handler is the one place a
connection lost anywhere in a request (tenant routing included) passes through.
"""

from __future__ import annotations

import logging

import psycopg
from django.db import DatabaseError
from django.db import InterfaceError as DjangoInterfaceError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from psycopg.errors import QueryCanceled

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
UNAVAILABLE_CODE = "DATABASE_UNAVAILABLE"
# Connection exceptions (class 08) and the server shutting down or starting up (57P01–57P03).
_LOST_SQLSTATES = ("57P01", "57P02", "57P03")


def is_connection_lost(error: BaseException | None) -> bool:
    """The error says the connection to PostgreSQL is gone (Django wraps psycopg's errors)."""
    while error is not None:
        if isinstance(error, QueryCanceled):  # an OperationalError too, but the server's time limit
            return False
        if isinstance(error, psycopg.InterfaceError):  # "the connection is closed"
            return True
        if isinstance(error, psycopg.OperationalError):
            sqlstate = error.sqlstate
            # No SQLSTATE: the client found the socket closed or could not connect at all.
            return sqlstate is None or sqlstate.startswith("08") or sqlstate in _LOST_SQLSTATES
        if isinstance(error, DjangoInterfaceError) and error.__cause__ is None:
            return True  # Django's own "connection already closed"
        error = error.__cause__ if isinstance(error, DatabaseError) else None
    return False


def unavailable_message() -> str:
    return _("The database is not answering for a moment. Nothing was saved; try again in a few seconds.")


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 for a request that lost its database connection."""
    from api.errors import api_error, is_api_request

    logger.warning("Database connection lost on %s", request.path)
    if is_api_request(request):
        response: HttpResponse = api_error(
            request,
            status=503,
            problem="database-unavailable",
            graphql_code=UNAVAILABLE_CODE,
            title=_("Service temporarily unavailable"),
            detail=unavailable_message(),
        )
    else:
        # Rendered without the request: the context processors read the database.
        page = render_to_string("errors/503.html", {"message": unavailable_message()})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
