"""Outgoing HTTP for workflows: ``customization.outbound_http`` (internal addresses refused, the
connection pinned to the checked address, no redirects) with the workflow's reading of the
outcome: a refused or malformed URL fails the step, an unreachable host, a 5xx or a 429 is tried
again, another non-2xx answer fails the step."""

from __future__ import annotations

from django.utils.translation import gettext as _

from customization import outbound_http
from customization.outbound_http import Response
from customization.workflows.engine.errors import StepError, TransientError

__all__ = ["Response", "send"]


def send(method: str, url: str, *, body: bytes, headers: dict[str, str]) -> Response:
    """Send the request; a 5xx, 429, timeout or connection error raises ``TransientError``, another
    non-2xx answer or a refused address ``StepError``."""
    try:
        answer = outbound_http.send(method, url, body=body, headers=headers)
    except outbound_http.Unreachable as error:
        raise TransientError(str(error)) from error
    except outbound_http.OutboundError as error:
        raise StepError(str(error)) from error
    host = outbound_http.split_url(url).hostname
    if answer.status >= 500 or answer.status == 429:
        raise TransientError(_("%(host)s answered %(status)s.") % {"host": host, "status": answer.status})
    if not 200 <= answer.status < 300:
        values = {"host": host, "status": answer.status, "text": answer.body[:200]}
        raise StepError(_("%(host)s answered %(status)s: %(text)s") % values)
    return answer
