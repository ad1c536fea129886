"""Settings for the test suite: real PostgreSQL and Redis, fast hashing, captured email."""

from .base import *  # noqa: F403  (settings modules extend base by design)
from .base import PASSWORD_HASHERS

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tenants in tests are provisioned from scratch or from the template; both paths are tested.
TENANT_MULTIPROCESSING_MAX_PROCESSES = 2
