"""Settings for the test suite: real PostgreSQL and Redis, fast hashing, captured email."""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403  (settings modules extend base by design)
from .base import CACHES, PASSWORD_HASHERS, REDIS_URL, VAR_DIR, _celery_url, _redis_database, env


def broker_database(redis_url: str, number: int) -> str:
    """Celery's broker URL for another logical database of the same Redis. kombu ignores a ``db``
    query parameter: a unix socket takes ``virtual_host``, a TCP URL the path."""
    if redis_url.startswith("unix://"):
        separator = "&" if "?" in redis_url else "?"
        return f"{_celery_url(redis_url)}{separator}virtual_host={number}"
    return urlunsplit(urlsplit(redis_url)._replace(path=f"/{number}"))


# `make test` runs the suite in parallel processes (pytest-xdist; `PYTEST_XDIST_WORKER` is gw0, gw1,
# …, inherited by the servers and workers a test starts). Each process has its own test database
# (pytest-django's suffix), and here its own Redis databases and files: a broker, cache, rate-limit
# counters and locks shared by name would let one process's worker run the other's tasks.
XDIST_WORKER = env("PYTEST_XDIST_WORKER", default="")
if XDIST_WORKER:
    _number = int(XDIST_WORKER.removeprefix("gw"))
    CELERY_BROKER_URL = broker_database(REDIS_URL, 2 + 2 * _number)
    CACHES["default"]["LOCATION"] = _redis_database(REDIS_URL, 3 + 2 * _number)
    VAR_DIR = VAR_DIR / "xdist" / XDIST_WORKER
    PRIVATE_FILES_ROOT = Path(env("PRIVATE_FILES_ROOT", default=str(VAR_DIR / "private")))
    CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "test-mail"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Off unless a test (or a real web process it starts) turns them on: query-count tests compare
# requests that would otherwise differ by whether an earlier one warmed the cache.
REQUEST_PATH_CACHES = env.bool("REQUEST_PATH_CACHES", default=False)
# Tenants in tests are provisioned from scratch or from the template; both paths are tested.
# No spare schemas unless a test of the pool turns it on: each would be a clone at every refill.
TENANT_SPARE_SCHEMAS = 0
TENANT_MULTIPROCESSING_MAX_PROCESSES = 2
# The browser tests' gunicorn serves static files straight from the finders (no collectstatic).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Workflow HTTP tests talk to a local receiver on 127.0.0.1.
OUTBOUND_HTTP_ALLOW_PRIVATE = True
# API rate limits far above what a test sends; tests of the limits set small ones themselves.
API_RATE_LIMIT_TENANT_PER_MINUTE = 100_000
API_RATE_LIMIT_CREDENTIAL_PER_MINUTE = 100_000
# Batches of a workflow started on a selection follow each other at once.
WORKFLOW_SELECTION_BATCH_PAUSE = 0
