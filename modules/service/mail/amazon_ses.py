"""Amazon SES receiving through an SNS topic: ``/service/mail/inbound/<token>/amazon-ses/``.

anymail's SES view needs boto3 and does not check SNS signatures, so this view follows AWS's
documented verification itself: the certificate comes from ``SigningCertURL`` only when that URL
is an SNS host over HTTPS (``SERVICE_MAIL_SNS_URL_PATTERN``), and the message's canonical string
(Message, MessageId, Subject, SubscribeURL, Timestamp, Token, TopicArn, Type as the type has them)
must carry its RSA signature (SHA1 for SignatureVersion 1, SHA256 for 2). HTTP basic auth with the
address's derived credential comes first (SNS sends it after the 401 challenge). A subscription
confirmation is confirmed by fetching its ``SubscribeURL`` (same host rule); a notification of
the receipt rule's SNS action carries the message (base64 or UTF-8) and goes to the intake. The S3
action (the message left in a bucket) is refused: it would need AWS credentials."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from typing import Any

import requests
from anymail.utils import get_request_basic_auth
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from modules.service.mail.inbound_providers import challenge, refused
from modules.service.mail.services.addresses import basic_auth_credential
from modules.service.mail.services.intake import max_message_bytes, receive
from modules.service.mail.webhook import accepted, bad, support_address

logger = logging.getLogger(__name__)

SIGNED_KEYS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}
DIGESTS = {"1": hashes.SHA1, "2": hashes.SHA256}
CERT_CACHE_SECONDS = 24 * 3600
FETCH_TIMEOUT_SECONDS = 10


class SnsRefused(Exception):
    """The call is not a message SNS signed."""


def _sns_url(url: Any) -> str:
    if not isinstance(url, str) or not re.match(settings.SERVICE_MAIL_SNS_URL_PATTERN, url):
        raise SnsRefused("not an SNS URL")
    return url


def _certificate(url: str) -> x509.Certificate:
    key = "service-mail:sns-cert:" + url
    pem = cache.get(key)
    if pem is None:
        try:
            response = requests.get(url, timeout=FETCH_TIMEOUT_SECONDS)
            response.raise_for_status()
        except requests.RequestException as error:
            raise SnsRefused("certificate unreachable") from error
        pem = response.content
        cache.set(key, pem, CERT_CACHE_SECONDS)
    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError as error:
        raise SnsRefused("not a certificate") from error


def canonical(message: dict[str, Any]) -> bytes:
    keys = SIGNED_KEYS.get(str(message.get("Type")))
    if keys is None:
        raise SnsRefused("unknown type")
    parts = [f"{name}\n{message[name]}\n" for name in keys if message.get(name) is not None]
    return "".join(parts).encode()


def verify(message: dict[str, Any]) -> None:
    digest = DIGESTS.get(str(message.get("SignatureVersion")))
    if digest is None:
        raise SnsRefused("unknown signature version")
    certificate = _certificate(_sns_url(message.get("SigningCertURL")))
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SnsRefused("not an RSA certificate")
    try:
        signature = base64.b64decode(str(message.get("Signature", "")), validate=True)
        public_key.verify(signature, canonical(message), padding.PKCS1v15(), digest())
    except (InvalidSignature, binascii.Error, ValueError) as error:
        raise SnsRefused("bad signature") from error


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
                requests.get(_sns_url(message.get("SubscribeURL")), timeout=FETCH_TIMEOUT_SECONDS).raise_for_status()
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
