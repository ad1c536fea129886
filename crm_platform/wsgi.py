"""WSGI entry point for gunicorn."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_platform.settings.local")

# OpenTelemetry, when OTEL_EXPORTER_OTLP_ENDPOINT is set (crm_platform.tracing), before the handler
# below reads the middleware setting the Django instrumentation adds its own to. When gunicorn
# preloads this module in its master, each worker starts it after the fork instead and rebuilds
# the handler's middleware (crm_platform.web_process): the exporter's thread would not survive it.
if not os.environ.get("WEB_TRACING_AFTER_FORK"):
    from crm_platform.tracing import init_tracing

    init_tracing("relata-web")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
