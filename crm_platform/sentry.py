"""Sentry initialisation: tenant-tagged events with personal data scrubbed.

No request bodies, no local variables, no cookies or user e-mails leave the process; the tenant's
schema is the one identifying tag an event carries. Secret URL parts (tokens in links, OAuth codes)
are redacted from every string of an event and of every breadcrumb (``crm_platform.redaction``).
"""

from typing import Any

import sentry_sdk
from django.conf import settings
from django.db import connection
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from crm_platform.redaction import redact_strings

SCRUBBED = "[scrubbed]"
_SENSITIVE_HEADERS = {"cookie", "authorization", "x-api-key", "x-csrftoken", "proxy-authorization"}


def scrub_event(event: dict[str, Any], _hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Add the tenant tag and remove anything that could identify a person."""
    event.setdefault("tags", {})["tenant"] = getattr(connection, "schema_name", "unknown")
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("data", None)
        request.pop("cookies", None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            for name in list(headers):
                if name.lower() in _SENSITIVE_HEADERS:
                    headers[name] = SCRUBBED
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    for exception in (event.get("exception") or {}).get("values", []):
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    redacted: dict[str, Any] = redact_strings(event)
    return redacted


def scrub_breadcrumb(crumb: dict[str, Any], _hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """A breadcrumb (a log line, an outgoing request, a query) with secret URL parts redacted."""
    redacted: dict[str, Any] = redact_strings(crumb)
    return redacted


def init_sentry() -> bool:
    """Initialise the SDK when SENTRY_DSN is set; return whether it was."""
    if not settings.SENTRY_DSN or sentry_sdk.get_client().dsn:  # off, or already running
        return False
    sentry_sdk.init(
        dsn=settings.SENTRY_DSN,
        environment=settings.SENTRY_ENVIRONMENT,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # Collect nothing personal; scrub_event removes what integrations still attach.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "stack_frame_variables": False,
            "database_query_data": False,
        },
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,  # type: ignore[arg-type]
        before_breadcrumb=scrub_breadcrumb,  # type: ignore[arg-type]
        traces_sample_rate=0.0,
    )
    return True
