"""Settings for `make run`: the embedded PostgreSQL and Redis the local runtime starts."""

from .base import *  # noqa: F403  (settings modules extend base by design)
from .base import env

# `make run` serves as production does (error pages, no SQL recording, no GraphQL debug
# middleware, static files through WhiteNoise from collectstatic); DJANGO_DEBUG=1 for a developer.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The local server speaks plain http, so links in e-mails and files must too.
PUBLIC_URL_SCHEME = env("PUBLIC_URL_SCHEME", default="http")
# `make run` points mail at its local SMTP sink (crm_platform/runtime.py); other commands run with
# these settings (`make manage`) print it to the terminal instead.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
