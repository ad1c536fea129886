"""Production settings: everything from the environment, secure transport enforced."""

from .base import *  # noqa: F403  (settings modules extend base by design)
from .base import env

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# HSTS on the base domain and every tenant subdomain (a tenant host is never plain HTTP). Not
# preloaded: preloading is near-irreversible for the whole domain, which the operator decides.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
