"""Settings shared by every environment; environment files override what differs.

Everything that varies between installs comes from the environment (django-environ).
"""

import ipaddress
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from redis.backoff import NoBackoff
from redis.retry import Retry

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Tenants live at <slug>.<BASE_DOMAIN>; the public site and operator console at BASE_DOMAIN.
BASE_DOMAIN = env("BASE_DOMAIN", default="localhost")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[BASE_DOMAIN, f".{BASE_DOMAIN}"])
# The scheme of links the platform writes into e-mails and files (tracking, surveys, consent,
# report deliveries): https everywhere but a local server on plain http (settings.local).
PUBLIC_URL_SCHEME = env("PUBLIC_URL_SCHEME", default="https")

# --- Apps -------------------------------------------------------------------------------------

SHARED_APPS = [
    # tenants comes first so its migrate_schemas (which skips unbuilt tenants) wins.
    "tenants",
    "django_tenants",
    "identity",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "graphene_django",
    "crm_platform",
    "billing",
    "crm_platform.console",
    # Analyses due to run again, one row per tenant and analysis, swept across the fleet.
    "modules.analytics.refresh",
]

TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "identity",
    "django.contrib.postgres",
    "django_filters",
    "modules.contacts",
    "modules.activities",
    "modules.activities.calendar_sync",
    "modules.sales",
    "modules.collaboration",
    "modules.workspace",
    "modules.home",
    "modules.analytics",
    "modules.analytics.reports",
    "modules.analytics.customer_value",
    "modules.analytics.dashboards",
    "modules.privacy",
    "modules.marketing",
    "modules.marketing.email",
    "modules.marketing.consent",
    "modules.marketing.surveys",
    "modules.marketing.scoring",
    "modules.marketing.collateral",
    "modules.marketing.delivery",
    "modules.marketing.segments",
    "modules.marketing.attribution",
    "modules.marketing.webforms",
    "modules.service",
    "modules.service.contact_centre",
    "modules.service.portal",
    "modules.service.knowledge",
    "modules.service.desk",
    "modules.service.sla",
    "modules.service.mail",
    "modules.oauth_accounts",
    "modules.mailboxes",
    "customization.fields",
    "customization.events",
    "customization.workflows",
    "oauth2_provider",
    "api.idempotency",
    "api.webhooks",
    "modules.dataio.imports",
    "modules.dataio.exports",
]

INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "crm_platform.urls_public"
ROOT_URLCONF = "crm_platform.urls_tenant"
DEFAULT_NOT_FOUND_TENANT_VIEW = "crm_platform.views.unknown_host"
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.int("TENANT_MIGRATION_PROCESSES", default=4)
# How a new tenant's schema is built: "clone" copies the migrated template tenant,
# "migrate" runs every migration. docs/benchmarks.md has the figures behind the default.
TENANT_PROVISIONING_METHOD = env("TENANT_PROVISIONING_METHOD", default="clone")
TENANT_TEMPLATE_SCHEMA = "tenant_template"
# Schemas cloned from the template ahead of signups (tenants.services.spare_schemas): a signup
# renames one instead of waiting for a clone. Only with the "clone" method; 0 turns the pool off.
TENANT_SPARE_SCHEMAS = env.int("TENANT_SPARE_SCHEMAS", default=3)

DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# SET search_path once per connection and schema switch, not before every query. Safe because
# django-tenants forgets the path on (savepoint) rollback; tests/test_tenancy_traps.py keeps it so.
TENANT_LIMIT_SET_CALLS = True

MIDDLEWARE = [
    # Request counts and latency by view, method and status for /metrics (first and last).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "crm_platform.middleware.RequestIdMiddleware",
    # Outermost but one, so every answer carries the policy: pages, errors, unknown hosts.
    "csp.middleware.CSPMiddleware",
    "crm_platform.middleware.HealthCheckMiddleware",
    "tenants.middleware.TenantRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # API keys and OAuth2 bearer tokens for /api/ and /graphql/ (request.api_credential), then
    # the per-tenant and per-credential rate limits that read it.
    "api.auth.middleware.ApiCredentialMiddleware",
    "api.throttling.middleware.RateLimitMiddleware",
    # Oversized bodies and over-long query parameters of the APIs refused before any view runs.
    "api.request_limits.RequestLimitsMiddleware",
    "identity.middleware.UserLocaleMiddleware",
    # Ends a support impersonation when its time is up.
    "identity.impersonation.ImpersonationMiddleware",
    # Who acts and from where, for the audit entries services write (identity/audit_context.py).
    "identity.audit_context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A module the tenant's plan lacks answers every page and API path with one "not in your plan".
    "crm_platform.plan_gate.ModuleNotInPlanMiddleware",
    "tenants.middleware.TenantLifecycleMiddleware",
    "axes.middleware.AxesMiddleware",
    # A statement the database cancelled for taking too long: a 503, not a server error.
    "crm_platform.statement_timeout.StatementTimeoutMiddleware",
    # Innermost: a REST write and its Idempotency-Key record share one transaction.
    "api.idempotency.middleware.IdempotencyMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crm_platform.context_processors.shell",
                "identity.context_processors.impersonation",
            ],
        },
    },
]

WSGI_APPLICATION = "crm_platform.wsgi.application"

# --- Data stores ------------------------------------------------------------------------------

DATABASES = {"default": env.db_url("DATABASE_URL", engine="django_tenants.postgresql_backend")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# A unix-socket directory arrives percent-encoded in the URL's host (libpq's convention).
DATABASES["default"]["HOST"] = unquote(DATABASES["default"]["HOST"])
# Web workers keep their connection between requests (infra/gunicorn.conf.py sets 60 s: a new
# connection costs more than a list page's SQL); Celery workers and commands connect per task.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
# A persistent connection is checked before a request reuses it, so one that died while idle (a
# database restart, a failover) is replaced instead of failing the request (crm_platform/database_outage.py).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL cancels a statement running longer than this (ms; 0: never). infra/gunicorn.conf.py
# sets it for web workers; Celery workers and migrations run without (crm_platform/statement_timeout.py).
DATABASE_STATEMENT_TIMEOUT_MS = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=0)
if DATABASE_STATEMENT_TIMEOUT_MS > 0:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
# Hot rows every request reads (host → tenant, API keys) kept per web process and retired at once
# when they change (core/generations.py).
REQUEST_PATH_CACHES = env.bool("REQUEST_PATH_CACHES", default=True)


def _celery_url(redis_url: str) -> str:
    # kombu spells a unix-socket Redis "redis+socket://"; redis-py spells it "unix://".
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url


def _redis_database(redis_url: str, number: int) -> str:
    """The same server, another logical database (a ``db`` query parameter wins over the path)."""
    separator = "&" if "?" in redis_url else "?"
    return f"{redis_url}{separator}db={number}"


# The cache gets database 1 and Celery's queues database 0, so clearing the cache loses no task.
# While Redis is down the cache acts empty and logs it (crm_platform/cache.py): pages and the API go
# on, without the limits counted in it. Each operation gives up after CACHE_TIMEOUT_SECONDS.
CACHE_TIMEOUT_SECONDS = env.float("CACHE_TIMEOUT_SECONDS", default=1.0)
CACHES = {
    "default": {
        "BACKEND": "crm_platform.cache.ForgivingRedisCache",
        "LOCATION": _redis_database(REDIS_URL, 1),
        "OPTIONS": {
            "socket_connect_timeout": CACHE_TIMEOUT_SECONDS,
            "socket_timeout": CACHE_TIMEOUT_SECONDS,
            "retry": Retry(NoBackoff(), 0),
        },
        # Every cache key carries the tenant's schema, so tenants never share an entry.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

CELERY_BROKER_URL = _celery_url(REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sending a task while Redis is down gives up after one quick retry instead of kombu's seconds of
# them: web requests queue after commit and must not hang on the broker (what they send waits in
# the outbox, or is swept up by beat). Workers reconnect with their own, unbounded, retries.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "socket_connect_timeout": 2}
# Our JSON logging (tenant, request id) stays in charge inside workers too.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Identity ---------------------------------------------------------------------------------

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "identity.backends.EmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "shell:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)

# Login throttling: failures counted in the (tenant-keyed) cache, by account and address.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "identity.views.login.locked_out"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "identity.client_address.client_address"

# The load balancers and proxies in front of the web processes (CIDRs, comma-separated). Only a
# request from one of them has its X-Forwarded-For read (identity.client_address); empty: the
# connecting address is the client, as when the web processes face the Internet.
TRUSTED_PROXIES = [str(ipaddress.ip_network(cidr, strict=False)) for cidr in env.list("TRUSTED_PROXIES", default=[])]

OTP_TOTP_ISSUER = "Relata"

# Host-only cookies: a session is only ever sent back to the tenant host that issued it, and
# sessions live in each tenant's schema, so a cookie from tenant A means nothing on tenant B.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
CSRF_FAILURE_VIEW = "crm_platform.errors.csrf_failure"

# --- i18n ---------------------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("ro", "Română"),
    ("pl", "Polski"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("sr-latn", "Srpski (latinica)"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["crm_platform.formats"]

# --- Static files -------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Email --------------------------------------------------------------------------------------

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"Relata <no-reply@{BASE_DOMAIN}>")
# `make run` starts a local SMTP sink and sets these: every message goes to it (the workspaces' own
# SMTP servers, e-mail services and connected mailboxes included, see core/mail_catch.py) and the
# console's mailbox page reads the Maildir it delivers to. Empty/off everywhere else.
MAIL_SINK_DIR = env("MAIL_SINK_DIR", default="")
EMAIL_CATCH_ALL = env.bool("EMAIL_CATCH_ALL", default=False)
# The platform's own mail is retried while the SMTP server is down: the first retry after this
# many seconds, each later one after twice the last (at most the maximum), for this many hours
# in all (core/mail_retry.py).
MAIL_RETRY_BACKOFF_SECONDS = env.int("MAIL_RETRY_BACKOFF_SECONDS", default=30)
MAIL_RETRY_BACKOFF_MAX_SECONDS = env.int("MAIL_RETRY_BACKOFF_MAX_SECONDS", default=900)
MAIL_RETRY_HOURS = env.float("MAIL_RETRY_HOURS", default=48)

# --- APIs ---------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.rest.authentication.BearerCredentialAuthentication",
        "api.rest.authentication.TenantSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.rest.pagination.IdCursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "api.rest.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# The per-tenant OpenAPI document (api/rest/openapi/); Swagger UI and Redoc assets come from the sidecar.
SPECTACULAR_SETTINGS = {
    "TITLE": "Relata API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    "GET_MOCK_REQUEST": "api.rest.openapi.views.tenant_mock_request",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# OAuth2 for third-party integrations (django-oauth-toolkit, tenant schemas only): authorization
# code with PKCE and client credentials; scopes are the module scopes (api.auth.scopes), and each
# application may be granted only the scopes registered for it.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "PKCE_REQUIRED": True,
    "SCOPES_BACKEND_CLASS": "api.auth.scopes.ModuleScopes",
    "OAUTH2_VALIDATOR_CLASS": "api.auth.validators.RelataOAuth2Validator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("OAUTH2_ACCESS_TOKEN_SECONDS", default=60 * 60),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env.int("OAUTH2_REFRESH_TOKEN_SECONDS", default=60 * 60 * 24 * 30),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # http only for loopback redirect URIs of native apps (RFC 8252); api.auth.oauth_apps checks it.
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"],
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "client_credentials", "refresh_token"],
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    # RFC 9700: no implicit or password grants, S256 only, tokens only in the Authorization header,
    # only a checksum of each token stored.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
}
GRAPHENE = {
    "SCHEMA": "api.graphql.schema.schema",
    "RELAY_CONNECTION_MAX_LIMIT": 100,
}
# Default API rate limits (requests per minute) until a tenant's plan sets its own
# (api/throttling/policy.py): the tenant's shared budget and each credential's.
API_RATE_LIMIT_TENANT_PER_MINUTE = env.int("API_RATE_LIMIT_TENANT_PER_MINUTE", default=1200)
API_RATE_LIMIT_CREDENTIAL_PER_MINUTE = env.int("API_RATE_LIMIT_CREDENTIAL_PER_MINUTE", default=600)
# How long the webhook delivery log keeps a finished delivery and its attempts.
WEBHOOK_DELIVERY_RETENTION_DAYS = env.int("WEBHOOK_DELIVERY_RETENTION_DAYS", default=30)
# A worker holds a webhook delivery this long while sending (more than the 15 s request timeout);
# the delivery of a worker killed mid-request is sent again once it has run out.
WEBHOOK_DELIVERY_LEASE_SECONDS = env.int("WEBHOOK_DELIVERY_LEASE_SECONDS", default=60)

# --- Billing ------------------------------------------------------------------------------------

# Which provider new subscriptions use: "stripe", "manual" (bank transfer, the operator marks
# invoices paid), or empty for Stripe when STRIPE_SECRET_KEY is set and manual otherwise.
BILLING_PROVIDER = env("BILLING_PROVIDER", default="")
# Past-due subscriptions are suspended (read-only) after the grace period; cancelled tenants'
# data is kept for the retention period, then deleted.
BILLING_GRACE_DAYS = env.int("BILLING_GRACE_DAYS", default=14)
BILLING_RETENTION_DAYS = env.int("BILLING_RETENTION_DAYS", default=90)
# A tenant suspended for non-payment this long has its subscription cancelled.
BILLING_CANCEL_AFTER_SUSPENDED_DAYS = env.int("BILLING_CANCEL_AFTER_SUSPENDED_DAYS", default=30)
# Trial-ending reminders go out this many days before the trial ends.
BILLING_TRIAL_REMINDER_DAYS = env.int("BILLING_TRIAL_REMINDER_DAYS", default=3)
# Manual provider: invoices are due this many days after issue; the transfer details they show.
BILLING_INVOICE_DUE_DAYS = env.int("BILLING_INVOICE_DUE_DAYS", default=14)
# The account bank transfers go to, used only while the operator has set none in the console.
BILLING_BANK_DETAILS = env("BILLING_BANK_DETAILS", default="")
# Stripe (billing/stripe_api.py is the one module that talks to it). STRIPE_API_BASE points the SDK
# at another server (the tests' local one); empty means Stripe itself.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
# Twilio's REST API (the contact centre's calls and SMS); the tests point it at a local fake.
TWILIO_API_BASE = env("TWILIO_API_BASE", default="https://api.twilio.com")
# Inbound e-mail providers whose webhook names a message to fetch from their API (the tests point
# them at a local fake).
SERVICE_MAIL_PROVIDER_API_URLS = {
    "brevo": env("SERVICE_MAIL_BREVO_API_URL", default="https://api.brevo.com/v3/"),
    "mailtrap": env("SERVICE_MAIL_MAILTRAP_API_URL", default="https://mailtrap.io/api/"),
    "resend": env("SERVICE_MAIL_RESEND_API_URL", default="https://api.resend.com/"),
}
# The URLs an Amazon SNS certificate or subscription confirmation may be fetched from (core.mail.sns).
AMAZON_SNS_URL_PATTERN = r"^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/"
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
STRIPE_WEBHOOK_TOLERANCE_SECONDS = env.int("STRIPE_WEBHOOK_TOLERANCE_SECONDS", default=300)
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
# Signing in on a tenant host from the public host (after signup, support impersonation).
LOGIN_HANDOFF_MAX_AGE = env.int("LOGIN_HANDOFF_MAX_AGE", default=120)
IMPERSONATION_MAX_MINUTES = env.int("IMPERSONATION_MAX_MINUTES", default=60)

# --- Imports and exports ------------------------------------------------------------------------

# Files users upload or the platform writes for them (imports, exports): never under a public URL,
# served only by views that check the tenant and the permissions. Web processes and Celery workers
# must share it (a volume, or STORAGES["imports"] for uploads).
PRIVATE_FILES_ROOT = Path(env("PRIVATE_FILES_ROOT", default=str(VAR_DIR / "private")))
IMPORT_MAX_FILE_BYTES = env.int("IMPORT_MAX_FILE_BYTES", default=50 * 1024 * 1024)
# An XLSX is a zip: what it may unpack to in all, and how many cells (and shared strings) it may hold.
IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES", default=200 * 1024 * 1024)
IMPORT_XLSX_MAX_CELLS = env.int("IMPORT_XLSX_MAX_CELLS", default=2_000_000)
# List exports up to this many rows stream in the request; larger ones run in Celery.
EXPORT_SYNC_ROWS = env.int("EXPORT_SYNC_ROWS", default=2000)
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=7)

# --- Analytics ------------------------------------------------------------------------------------

# PostgreSQL's work_mem for a report's GROUP BY (per sort or hash node and worker; the server's
# default is 4MB): enough to group a million rows in memory (docs/benchmarks.md, analytics).
REPORT_WORK_MEM = env("REPORT_WORK_MEM", default="64MB")
# The bearer token a Prometheus scraper sends to /metrics; /metrics answers 404 while it is empty.
METRICS_TOKEN = env("METRICS_TOKEN", default="")

# --- Notes and attachments on records ------------------------------------------------------------

# A note's HTML (after the editor, before cleaning) and an attached file's size.
NOTE_MAX_LENGTH = env.int("NOTE_MAX_LENGTH", default=100_000)
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=25 * 1024 * 1024)
# Attachments live under PRIVATE_FILES_ROOT/attachments unless a bucket is named: then in that
# S3-compatible bucket (AWS, MinIO, Ceph …), private, read only through the download view.
if env("ATTACHMENTS_S3_BUCKET", default=""):
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("ATTACHMENTS_S3_BUCKET"),
            "endpoint_url": env("ATTACHMENTS_S3_ENDPOINT_URL", default=None),
            "region_name": env("ATTACHMENTS_S3_REGION", default=None),
            "access_key": env("ATTACHMENTS_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("ATTACHMENTS_S3_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# --- Workflows ------------------------------------------------------------------------------------

# Workflow HTTP actions refuse loopback, private, link-local and reserved addresses unless this is on.
OUTBOUND_HTTP_ALLOW_PRIVATE = False
WORKFLOW_MAX_DEPTH = env.int("WORKFLOW_MAX_DEPTH", default=5)
WORKFLOW_RUNS_PER_MINUTE = env.int("WORKFLOW_RUNS_PER_MINUTE", default=600)
WORKFLOW_LEASE_SECONDS = env.int("WORKFLOW_LEASE_SECONDS", default=300)
WORKFLOW_MAX_ATTEMPTS = env.int("WORKFLOW_MAX_ATTEMPTS", default=4)
WORKFLOW_RETRY_BASE_SECONDS = env.int("WORKFLOW_RETRY_BASE_SECONDS", default=10)
WORKFLOW_SELECTION_BATCH_PAUSE = env.int("WORKFLOW_SELECTION_BATCH_PAUSE", default=30)

# --- Marketing sends ------------------------------------------------------------------------------

# How long a worker's claim on recipients lasts without renewal; longer than EMAIL_TIMEOUT, so a
# slow hand-over is never taken for a dead worker's (modules/marketing/delivery/services/engine.py).
MARKETING_SEND_LEASE_SECONDS = env.int("MARKETING_SEND_LEASE_SECONDS", default=300)
MARKETING_SEND_BATCH_SIZE = env.int("MARKETING_SEND_BATCH_SIZE", default=50)

# --- Observability ------------------------------------------------------------------------------

SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="local")
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "crm_platform.logging.RequestContextFilter"}},
    "formatters": {
        "json": {
            "()": "crm_platform.logging.RedactingJsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(tenant)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["context"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # fpdf2 subsets fonts through fontTools, which logs some seventy INFO lines per quote PDF.
        "fontTools": {"level": "WARNING"},
    },
}

SECURE_CONTENT_TYPE_NOSNIFF = True

# Content-Security-Policy (django-csp), enforced on every host: scripts only from this origin, no
# inline scripts or handlers, no eval (Alpine runs as its CSP build; htmx's eval is off). Styles
# allow 'unsafe-inline': Bootstrap's markup and ours use style= attributes, and FullCalendar and
# Chart.js inject <style> elements; a style cannot run code. Bootstrap draws icons in CSS from
# data: URIs and FullCalendar embeds its icon font as one. Redoc and GraphiQL loosen it on their
# own views only (api/rest/urls.py, api/graphql/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    },
}
X_FRAME_OPTIONS = "DENY"

# --- Connected mailboxes --------------------------------------------------------------------------

# Messages fetched and stored per transaction by a mailbox sync (a killed worker loses at most one
# uncommitted batch, read again by the next run), and syncs running at once per tenant.
MAILBOXES_SYNC_BATCH = env.int("MAILBOXES_SYNC_BATCH", default=200)
MAILBOXES_SYNC_PER_TENANT = env.int("MAILBOXES_SYNC_PER_TENANT", default=2)

# --- Google (Gmail and Google Calendar) -----------------------------------------------------------

# The REST APIs a connected Google account is read and written through (tests point them at a
# local server speaking the same protocol).
GOOGLE_GMAIL_API_URL = env.str("GOOGLE_GMAIL_API_URL", default="https://gmail.googleapis.com/gmail/v1")
GOOGLE_CALENDAR_API_URL = env.str("GOOGLE_CALENDAR_API_URL", default="https://www.googleapis.com/calendar/v3")

# --- Connected accounts (OAuth2) ------------------------------------------------------------------

# The platform's app registration at each provider (modules/oauth_accounts/providers.py); a
# provider without a client id is not offered. Providers accept only redirect URIs registered in
# advance, without wildcards, so a deployment sets OAUTH_CALLBACK_HOST (the public host,
# BASE_DOMAIN) and registers the one URI https://<that host>/oauth/callback/: the public host
# relays each answer to the workspace host that started it (modules/oauth_accounts/relay.py).
# Left empty, each workspace host is its own redirect URI (…/settings/connected-accounts/callback/).
OAUTH_CALLBACK_HOST = env("OAUTH_CALLBACK_HOST", default="")
OAUTH_PROVIDERS = {
    "microsoft": {
        "client_id": env("MICROSOFT_CLIENT_ID", default=""),
        "client_secret": env("MICROSOFT_CLIENT_SECRET", default=""),
        "authorize_url": env(
            "MICROSOFT_AUTHORIZE_URL", default="https://login.microsoftonline.com/common/oauth2/v2.0/authorize"
        ),
        "token_url": env("MICROSOFT_TOKEN_URL", default="https://login.microsoftonline.com/common/oauth2/v2.0/token"),
        "api_url": env("MICROSOFT_GRAPH_URL", default="https://graph.microsoft.com/v1.0"),
    },
    # Google's OAuth 2.0 for web server applications (a "Web application" client of the Google
    # Cloud project, with the Gmail and Calendar APIs enabled); the APIs' own addresses are
    # GOOGLE_GMAIL_API_URL and GOOGLE_CALENDAR_API_URL.
    "google": {
        "client_id": env("GOOGLE_CLIENT_ID", default=""),
        "client_secret": env("GOOGLE_CLIENT_SECRET", default=""),
        "authorize_url": env("GOOGLE_AUTHORIZE_URL", default="https://accounts.google.com/o/oauth2/v2/auth"),
        "token_url": env("GOOGLE_TOKEN_URL", default="https://oauth2.googleapis.com/token"),
        "userinfo_url": env("GOOGLE_USERINFO_URL", default="https://openidconnect.googleapis.com/v1/userinfo"),
        "revoke_url": env("GOOGLE_REVOKE_URL", default="https://oauth2.googleapis.com/revoke"),
    },
}
