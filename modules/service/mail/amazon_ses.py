"""Amazon SES receiving through an SNS topic: ``/service/mail/inbound/<token>/amazon-ses/``.

anymail's SES view needs boto3 and does not check SNS signatures, so this view checks them as AWS
documents it (``core.mail.sns``: the certificate only from an SNS host over HTTPS, the canonical
string's RSA signature). HTTP basic auth with the address's derived credential comes first (SNS
sends it after the 401 challenge). A subscription confirmation is confirmed by fetching its
``SubscribeURL`` (same host rule); a notification of the receipt rule's SNS action carries the
message (base64 or UTF-8) and goes to the intake. The S3 action (the message left in a bucket) is
refused: it would need AWS credentials."""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any

import requests
from anymail.utils import get_request_basic_auth
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from core.mail.sns import SnsRefused, confirm_subscription, verify
from modules.service.mail.inbound_providers import challenge, refused
from modules.service.mail.services.addresses import basic_auth_credential
from modules.service.mail.services.intake import max_message_bytes, receive
from modules.service.mail.webhook import accepted, bad, support_address

logger = logging.getLogger(__name__)


def _content(notification: dict[str, Any]) -> bytes:
    if notification.get("notificationType") != "Received":
        raise ValueError("not a receipt")
    action = notification["receipt"]["action"]
    if action.get("type") != "SNS" or "content" not in notification:
        raise ValueError("the receipt rule's action is not SNS")
    content = str(notification["content"])
    if str(action.get("encoding", "UTF8")).upper() == "BASE64":
        return base64.b64decode(content, validate=True)
    return content.encode()


@method_decorator(csrf_exempt, name="dispatch")
class AmazonSesInbound(View):
    http_method_names = ["post", "head"]

    def head(self, request: HttpRequest, token: str) -> HttpResponse:
        support_address(request, token)
        return HttpResponse()

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        address = support_address(request, token)
        if not request.META.get("HTTP_AUTHORIZATION"):
            return challenge()
        if not constant_time_compare(get_request_basic_auth(request) or "", basic_auth_credential(token)):
            return refused()
        if len(request.body) > max_message_bytes() * 2:  # base64 and the JSON around it
            return bad("body", _("The message is larger than the allowed size."), status=413)
        try:
            message = json.loads(request.body)
            if not isinstance(message, dict) or request.headers.get("x-amz-sns-message-type") != message.get("Type"):
                raise SnsRefused("type header and body differ")
            verify(message)
        except (SnsRefused, ValueError, UnicodeDecodeError) as error:
            logger.info("SNS call refused: %s", error)
            return refused()
        if message["Type"] == "SubscriptionConfirmation":
            try:
                confirm_subscription(message)
            except (SnsRefused, requests.RequestException) as error:
                logger.warning("SNS subscription not confirmed: %s", error)
                return bad("body", _("The subscription could not be confirmed; try again later."), status=502)
            return accepted("subscribed")
        if message["Type"] != "Notification":
            return accepted("ignored")
        try:
            raw = _content(json.loads(message["Message"]))
        except (KeyError, TypeError, ValueError, binascii.Error) as error:
            logger.info("SNS notification is not an SES receipt with content: %s", error)
            return bad("body", _("The body is not an Amazon SES receipt carrying the message (SNS action)."))
        return accepted(receive(address, raw).outcome)
