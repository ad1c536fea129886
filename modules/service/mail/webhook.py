"""The inbound webhook: ``/service/mail/inbound/<token>/`` takes one raw RFC 5322 message as the
request body (for an MTA's pipe or any relay); ``…/<token>/<provider>/`` an e-mail provider's
inbound call (``inbound_providers.py``, ``amazon_ses.py``). The token in the URL is the address's secret: it finds the
address in the tenant of the host, so another tenant's token (or a rotated one) finds nothing (404).
A tenant whose plan lacks the service module answers 404 too: the callers are outsiders."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from modules.registry import is_enabled
from modules.service.mail.models import SupportAddress
from modules.service.mail.services.addresses import address_for_token
from modules.service.mail.services.intake import max_message_bytes, receive

logger = logging.getLogger(__name__)


def support_address(request: HttpRequest, token: str) -> SupportAddress:
    # Callers are mail relays outside the workspace: without the module the URL names nothing.
    if not is_enabled(getattr(request, "tenant", None), "service"):
        raise Http404
    address = address_for_token(token)
    if address is None or not address.is_active:
        raise Http404
    return address


def accepted(outcome: str) -> JsonResponse:
    return JsonResponse({"outcome": outcome})


def bad(field: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"errors": {field: [message]}}, status=status)


@method_decorator(csrf_exempt, name="dispatch")
class RawInboundView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        address = support_address(request, token)
        limit = max_message_bytes()
        # Read past Django's form-size bound: a raw message with attachments is larger.
        raw = request.read(limit + 1)
        if len(raw) > limit:
            return bad("body", "The message is larger than the allowed size.", status=413)
        if not raw.strip():
            return bad("body", "The body must be one e-mail message (message/rfc822).")
        return accepted(receive(address, raw).outcome)
