"""Log context: every record carries the tenant schema and the request id; lines are redacted."""

import contextvars
import logging

from pythonjsonlogger.json import JsonFormatter

from crm_platform.redaction import redact

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        try:
            from tenants.db import tenant_connection

            record.tenant = tenant_connection().schema_name
        except Exception:  # settings not configured yet (early start-up)
            record.tenant = "-"
        return True


class RedactingJsonFormatter(JsonFormatter):
    """JSON lines with secret URL parts redacted from the whole line: the message, extras such as
    ``request`` (Django's request log prints its path) and tracebacks alike."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
