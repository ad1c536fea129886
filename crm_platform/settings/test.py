"""Settings for the test suite: real PostgreSQL and Redis, fast hashing, captured email."""

from .base import *  # noqa: F403  (settings modules extend base by design)
from .base import PASSWORD_HASHERS, VAR_DIR, env

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
