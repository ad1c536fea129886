"""gunicorn's logger with secrets redacted from access and error lines (``infra/gunicorn.conf.py``)."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from crm_platform.redaction import RedactingFilter


class RedactingLogger(Logger):
    """The access line quotes the request line, the referer and response headers such as
    ``Location``; each can hold a token, so every line goes through ``redact``."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(existing, RedactingFilter) for existing in log.filters):
                log.addFilter(RedactingFilter())
