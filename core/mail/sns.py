"""Amazon SNS messages posted to an HTTP(S) endpoint, checked as AWS documents it
(https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html), for every view
that Amazon SES reaches through SNS (inbound mail, bounce and complaint notifications).

The certificate comes from ``SigningCertURL`` only when that URL matches
``AMAZON_SNS_URL_PATTERN`` (an SNS host over HTTPS), and is cached a day; the message's canonical
string (Message, MessageId, Subject, SubscribeURL, Timestamp, Token, TopicArn, Type as the type has
them) must carry its RSA signature (SHA1 for SignatureVersion 1, SHA256 for 2). A subscription is
confirmed by fetching its ``SubscribeURL`` under the same host rule.

anymail's Amazon SES views check neither signature nor certificate host (and confirm
subscriptions through boto3), which is why this module exists."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.core.cache import cache

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


def sns_url(url: Any) -> str:
    """``url`` if it is one SNS may make us fetch (its certificate, a subscription's confirmation)."""
    if not isinstance(url, str) or not re.match(settings.AMAZON_SNS_URL_PATTERN, url):
        raise SnsRefused("not an SNS URL")
    return url


def _certificate(url: str) -> x509.Certificate:
    key = "sns-cert:" + url
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
    """Raise ``SnsRefused`` unless SNS signed ``message`` (the posted JSON body)."""
    digest = DIGESTS.get(str(message.get("SignatureVersion")))
    if digest is None:
        raise SnsRefused("unknown signature version")
    certificate = _certificate(sns_url(message.get("SigningCertURL")))
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SnsRefused("not an RSA certificate")
    try:
        signature = base64.b64decode(str(message.get("Signature", "")), validate=True)
        public_key.verify(signature, canonical(message), padding.PKCS1v15(), digest())
    except (InvalidSignature, binascii.Error, ValueError) as error:
        raise SnsRefused("bad signature") from error


def confirm_subscription(message: dict[str, Any]) -> None:
    """Confirm a verified ``SubscriptionConfirmation`` by fetching its ``SubscribeURL``. Raises
    ``SnsRefused`` for a URL that is not SNS's, ``requests.RequestException`` when SNS fails."""
    requests.get(sns_url(message.get("SubscribeURL")), timeout=FETCH_TIMEOUT_SECONDS).raise_for_status()
