"""Twilio Voice and Messaging over Twilio's REST API (2010-04-01), and Twilio's request signature.

The signature check follows Twilio's documented algorithm ("Webhooks security"): HMAC-SHA1, keyed
with the account's auth token, over the full URL Twilio requested followed by each POST parameter's
name and value, sorted by name; base64; compared in constant time with ``X-Twilio-Signature``. It is
implemented here (twenty lines) rather than by adding the ``twilio`` SDK, which would bring aiohttp,
aiohttp-retry, PyJWT and requests for two form POSTs and one HMAC.

Requests go out with the standard library (``urllib``), form-encoded, with HTTP basic auth (account
SID and auth token), to ``settings.TWILIO_API_BASE`` (Twilio's host in production, a local fake in
the tests).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings

from modules.service.contact_centre.providers.base import Placed, ProviderError

API_VERSION = "2010-04-01"
TIMEOUT_SECONDS = 10


def signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """Twilio's X-Twilio-Signature for a POST to ``url`` with form ``params``."""
    payload = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def dial_twiml(numbers: list[str], *, caller_id: str, action: str = "", answered_urls: list[str] | None = None) -> str:
    """TwiML that rings ``numbers`` at once and connects the first to answer. A number's
    ``answered_urls`` entry is its ``<Number url>``: Twilio requests it when that phone answers,
    before connecting, which tells who took the call."""
    urls = answered_urls or [""] * len(numbers)
    targets = "".join(
        f"<Number url={quoteattr(url)} method=\"POST\">{escape(number)}</Number>" if url
        else f"<Number>{escape(number)}</Number>"
        for number, url in zip(numbers, urls, strict=True)
    )  # fmt: skip
    action_attr = f" action={quoteattr(action)}" if action else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Response><Dial callerId={quoteattr(caller_id)}{action_attr}>{targets}</Dial></Response>"
    )


@dataclass(frozen=True)
class Twilio:
    account_sid: str
    auth_token: str

    def _post(self, resource: str, params: dict[str, str]) -> dict[str, object]:
        url = f"{settings.TWILIO_API_BASE.rstrip('/')}/{API_VERSION}/Accounts/{self.account_sid}/{resource}.json"
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 (the base URL is a setting: https in production)
            url,
            data=urlencode(params).encode(),
            method="POST",
            headers={"Authorization": f"Basic {credentials}", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                return dict(json.loads(response.read() or b"{}"))
        except urllib.error.HTTPError as error:
            try:
                body = json.loads(error.read() or b"{}")
            except ValueError:
                body = {}
            retryable = error.code == 429 or error.code >= 500
            raise ProviderError(
                str(body.get("message") or error.reason), code=str(body.get("code") or error.code), retryable=retryable
            ) from error
        except (OSError, ValueError) as error:  # unreachable, timed out, or not JSON
            raise ProviderError(str(error), retryable=True) from error

    def place_call(self, *, agent_number: str, customer_number: str, caller_id: str, status_callback: str) -> Placed:
        answer = self._post(
            "Calls",
            {
                "To": agent_number,
                "From": caller_id,
                "Twiml": dial_twiml([customer_number], caller_id=caller_id),
                "StatusCallback": status_callback,
                "StatusCallbackMethod": "POST",
            },
        )
        return Placed(sid=str(answer.get("sid", "")), status=str(answer.get("status", "queued")))

    def send_sms(self, *, to: str, sender: str, body: str, status_callback: str) -> Placed:
        answer = self._post("Messages", {"To": to, "From": sender, "Body": body, "StatusCallback": status_callback})
        return Placed(sid=str(answer.get("sid", "")), status=str(answer.get("status", "queued")))

    def is_valid_request(self, *, url: str, params: Mapping[str, str], signature_header: str) -> bool:
        if not (self.auth_token and signature_header):
            return False
        return hmac.compare_digest(signature(self.auth_token, url, params), signature_header)

    def ring_agents(self, agents: list[tuple[str, str]], *, caller_id: str, status_callback: str) -> tuple[str, str]:
        if not agents:
            return '<?xml version="1.0" encoding="UTF-8"?><Response><Reject reason="busy"/></Response>', "text/xml"
        numbers, answered = [number for number, _url in agents], [url for _number, url in agents]
        return dial_twiml(numbers, caller_id=caller_id, answered_urls=answered), "text/xml"

    def connect_answered(self) -> tuple[str, str]:
        return '<?xml version="1.0" encoding="UTF-8"?><Response/>', "text/xml"
