"""Secrets the platform must read back (a mailbox's password, an inbound webhook's token) are kept
encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``).

The keys are derived with HKDF from Django's ``SECRET_KEY`` and then ``SECRET_KEY_FALLBACKS``: the
first encrypts, every one decrypts, so rotating the secret key the documented way (the old key
moved to the fallbacks) keeps stored values readable while new ones are written under the new key.
A database dump alone reveals nothing. Values carry a ``fernet:`` prefix, so a value stored in the
clear by mistake is refused rather than sent somewhere."""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "fernet:"
INFO = b"relata:core:field-encryption"


class UnreadableSecret(ValueError):
    """The stored value was encrypted with a key this deployment no longer has."""


@cache
def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _box() -> MultiFernet:
    return MultiFernet([_fernet(settings.SECRET_KEY), *(_fernet(str(key)) for key in settings.SECRET_KEY_FALLBACKS)])


def encrypt(plain: str) -> str:
    """``fernet:<token>``; an empty value stays empty (nothing to hide)."""
    if not plain:
        return ""
    return PREFIX + _box().encrypt(plain.encode()).decode("ascii")


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        raise UnreadableSecret("not an encrypted value")
    try:
        return _box().decrypt(stored[len(PREFIX) :].encode("ascii")).decode()
    except InvalidToken as error:
        raise UnreadableSecret("encrypted with a key this deployment does not have") from error
