"""OpenTelemetry tracing, off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set.

When on, web requests (Django), SQL (psycopg), Redis and Celery tasks are traced and exported over
OTLP/HTTP to the collector at that endpoint; the SDK's standard variables tune the rest
(``OTEL_SERVICE_NAME``, ``OTEL_TRACES_SAMPLER`` and ``OTEL_TRACES_SAMPLER_ARG``,
``OTEL_EXPORTER_OTLP_HEADERS``…). Started from ``crm_platform.wsgi`` in each web process and from
Celery's ``worker_process_init`` in each worker child (the exporter's thread would not survive a
fork). Health, readiness and metrics requests are not traced.

URLs go through ``crm_platform.redaction`` as in the logs: a calendar feed or invitation token
never reaches a trace. SQL is recorded without its parameters (the instrumentation's default).
Each request's span carries the tenant's schema (``relata.tenant``): traces are looked at one at a
time, so unlike metrics a per-tenant attribute costs nothing.
"""

from __future__ import annotations

import os
from typing import Any

_STARTED = False
EXCLUDED_URLS = "healthz,readyz,metrics"
URL_ATTRIBUTES = ("http.url", "http.target", "url.full", "url.path", "url.query")


def enabled() -> bool:
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def _redact_request(span: Any, request: Any) -> None:
    from crm_platform.redaction import redact

    if not span.is_recording():
        return
    attributes = getattr(span, "attributes", None) or {}
    for name in URL_ATTRIBUTES:
        value = attributes.get(name)
        if isinstance(value, str):
            span.set_attribute(name, redact(value))


def _tag_response(span: Any, request: Any, response: Any) -> None:
    tenant = getattr(request, "tenant", None)
    if span.is_recording() and tenant is not None:
        span.set_attribute("relata.tenant", tenant.schema_name)


def init_tracing(service_name: str) -> bool:
    """Start tracing in this process when an OTLP endpoint is configured; True when on."""
    global _STARTED
    if _STARTED or not enabled():
        return _STARTED
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", service_name)})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    DjangoInstrumentor().instrument(
        request_hook=_redact_request, response_hook=_tag_response, excluded_urls=EXCLUDED_URLS
    )
    PsycopgInstrumentor().instrument(enable_commenter=False)
    RedisInstrumentor().instrument()
    CeleryInstrumentor().instrument()
    _STARTED = True
    return True


def flush(timeout_millis: int = 5000) -> None:
    """Send the spans still buffered (before a process exits)."""
    from opentelemetry import trace

    provider = trace.get_tracer_provider()
    if hasattr(provider, "force_flush"):
        provider.force_flush(timeout_millis)
