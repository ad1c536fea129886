"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_platform.settings.local")

application = get_wsgi_application()

# OpenTelemetry, when OTEL_EXPORTER_OTLP_ENDPOINT is set (crm_platform.tracing).
from crm_platform.tracing import init_tracing  # noqa: E402  (after Django is set up)

init_tracing("relata-web")
