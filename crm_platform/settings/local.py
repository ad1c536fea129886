"""Settings for `make run`: the embedded PostgreSQL and Redis the local runtime starts."""

from .base import *  # noqa: F403  (settings modules extend base by design)
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Invitations and password resets print to the terminal `make run` runs in.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
