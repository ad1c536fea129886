"""Settings for `make run`: the embedded PostgreSQL and Redis the local runtime starts."""

from .base import *  # noqa: F403  (settings modules extend base by design)
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# `make run` points mail at its local SMTP sink (crm_platform/runtime.py); other commands run with
# these settings (`make manage`) print it to the terminal instead.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
