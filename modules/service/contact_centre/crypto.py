"""Provider credentials encrypted at rest (Fernet: AES-128-CBC with an HMAC-SHA256).

The keys come from Django's own ``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS`` through HKDF, so rotating
the secret key the documented way (the old key moved to the fallbacks) keeps stored tokens readable
while new ones are written under the new key. A database dump alone does not give the tokens away.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

INFO = b"relata:service:contact-centre:credentials"


def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    return MultiFernet([_fernet(settings.SECRET_KEY), *(_fernet(str(key)) for key in settings.SECRET_KEY_FALLBACKS)])


def encrypt(value: str) -> str:
    return _keys().encrypt(value.encode()).decode() if value else ""


def decrypt(value: str) -> str:
    """The plain text of ``value`` ("" when nothing is stored or no key opens it any more)."""
    if not value:
        return ""
    try:
        return _keys().decrypt(value.encode()).decode()
    except InvalidToken:
        return ""
