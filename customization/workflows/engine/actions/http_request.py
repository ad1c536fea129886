"""``http_request {"url", "method": "POST", "headers": {}}``: send the event and the record as
JSON. The step id goes in the ``Idempotency-Key`` header, so when a worker dies after sending and
the step runs again, the receiver sees the same key and can ignore the repeat."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from customization.workflows.engine import outbound
from customization.workflows.engine.actions.base import Outcome
from customization.workflows.engine.context import StepContext, record_values
from customization.workflows.engine.errors import StepError

METHODS = ("POST", "PUT", "PATCH")


def payload(context: StepContext) -> dict[str, Any]:
    event = context.event
    return {
        "rule": {"id": context.rule.pk, "name": context.rule.name},
        "event": (
            {"id": str(event.event_id), "type": event.type, "occurred_at": event.occurred_at, "data": event.data}
            if event is not None
            else None
        ),
        "record": {"entity": context.entity, **record_values(context.record, context.entity)},
    }


def execute(config: dict[str, Any], context: StepContext) -> Outcome:
    url = str(config.get("url") or "").strip()
    method = str(config.get("method") or "POST").upper()
    if method not in METHODS:
        raise StepError(_("The method must be one of %(methods)s.") % {"methods": ", ".join(METHODS)})
    extra = config.get("headers") or {}
    if not isinstance(extra, dict):
        raise StepError(_("Headers must be an object of name: value."))
    body = json.dumps(payload(context), cls=DjangoJSONEncoder).encode()
    headers = {str(name): str(value) for name, value in extra.items()}
    headers.update(
        {"Content-Type": "application/json", "Idempotency-Key": context.step_key, "User-Agent": "Relata-Workflows"}
    )
    if context.dry_run:
        return Outcome({"url": url, "method": method, "simulated": True, "idempotency_key": context.step_key})
    response = outbound.send(method, url, body=body, headers=headers)
    return Outcome(
        {"url": url, "method": method, "status": response.status, "response": response.body[:500],
         "idempotency_key": context.step_key}
    )  # fmt: skip
