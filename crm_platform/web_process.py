"""gunicorn's processes around the fork (hooks in ``infra/gunicorn.conf.py``).

With ``preload_app`` the master imports the application once and every worker is forked from it,
so a worker started later — gunicorn recycles each after ``max_requests`` — begins with Django
set up, every URL configuration and view imported, the base GraphQL schema built and the
translation catalogues read, and its first request costs about what later ones do (without it, a
recycled worker imported the whole application on its first request: seconds of CPU).

What must not cross the fork is handled here. A database connection is a socket: shared by two
processes their messages would interleave, so the master closes its connections before each fork
and each worker drops whatever it inherited before serving. Tracing's exporter runs a thread (and
holds HTTP connections) that a fork does not carry over, so it starts in each worker. Redis
clients (redis-py's pools check the process id), prometheus_client's multiprocess values and
Sentry's transport thread re-create themselves in the child on their own.
"""

from __future__ import annotations


def load_in_master() -> None:
    """Load in the master what each worker's first request would otherwise load."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils.translation import trans_real

    for urlconf in (settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF):
        resolver = get_resolver(urlconf)
        resolver.url_patterns  # noqa: B018 (imports every view, the GraphQL schemas with them)
    for code, _name in settings.LANGUAGES:
        trans_real.translation(code)
    close_connections()


def close_connections() -> None:
    """Close this process's database connections (the next query opens a new one)."""
    from django.db import connections

    connections.close_all()


def start_worker() -> None:
    """In a worker just forked from a preloading master: no inherited connection is ever used, and
    tracing starts with this process's own exporter thread."""
    from crm_platform.tracing import init_tracing

    # The master closed its connections before forking; closing again here guarantees a worker
    # opens its own even if one was opened in the master since.
    close_connections()
    if init_tracing("relata-web"):
        from crm_platform.wsgi import application

        # The handler was built in the master, before the instrumentation added its middleware.
        application.load_middleware()
