"""gunicorn settings for every environment; `make run` and production both load this file.

Values come from the environment so a deployment tunes them without editing code.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))  # gthread: views are synchronous (django-tenants)
worker_class = "gthread"
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 20
keepalive = 5
max_requests = 2000  # recycle workers now and then, with jitter so they don't all restart at once
max_requests_jitter = 200
# The master imports the application and workers are forked from it, so a recycled worker starts
# warm instead of importing everything on its first request (crm_platform/web_process.py: database
# connections and tracing are handled around the fork). WEB_PRELOAD=0 loads it in each worker.
preload_app = os.environ.get("WEB_PRELOAD", "1") != "0"
# Read by crm_platform.wsgi: with preloading, tracing starts in each worker (post_fork) rather than
# where the application is imported, since its exporter thread would not survive the fork.
os.environ["WEB_TRACING_AFTER_FORK"] = "1" if preload_app else ""
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Calendar feed, invitation, password-reset and handoff links and OAuth codes are credentials:
# every access and error line goes through crm_platform.redaction.
logger_class = "crm_platform.access_log.RedactingLogger"
# Web requests may not hold the database longer than this: PostgreSQL's statement_timeout for the
# workers' connections (read by the settings, which load after this file). Below `timeout`, so a
# slow query ends as a 503 before gunicorn kills the worker with other requests in flight.
# Celery workers and migrations do not load this file and run without a statement timeout.
os.environ["DATABASE_STATEMENT_TIMEOUT_MS"] = os.environ.get("WEB_STATEMENT_TIMEOUT_MS", "30000")
# Web workers keep their database connection between requests (Django's CONN_MAX_AGE, seconds):
# connecting costs 7-18 ms, more than a list page's SQL. CONN_HEALTH_CHECKS (settings) replaces a
# connection that died while idle before a request uses it (crm_platform/database_outage.py).
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")

# Prometheus: gunicorn's worker processes each count their requests; prometheus_client adds them
# up from files in one directory (crm_platform.metrics). A fresh directory per server start, unless
# the deployment names one (it must then be emptied before each start).
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    import tempfile

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="relata-metrics-")


def child_exit(server: object, worker: object) -> None:
    """A worker that exits leaves its live gauges behind; its counters stay in the totals."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]


def when_ready(server: object) -> None:
    """In the master, once the preloaded application is imported and before any worker is forked."""
    if preload_app:
        from crm_platform.web_process import load_in_master

        load_in_master()


def pre_fork(server: object, worker: object) -> None:
    if preload_app:
        from crm_platform.web_process import close_connections

        close_connections()


def post_fork(server: object, worker: object) -> None:
    if preload_app:
        from crm_platform.web_process import start_worker

        start_worker()
