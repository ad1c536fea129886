"""Log context: every record carries the tenant schema and the request id."""

import contextvars
import logging

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
