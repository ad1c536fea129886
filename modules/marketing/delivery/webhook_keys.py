"""SendGrid's signed event webhook key: SendGrid shows the public key as the base64 body of a PEM
block (ECDSA P-256); admins may paste it with or without the PEM lines."""

from __future__ import annotations

import binascii

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def key_body(text: str) -> str:
    """The base64 body of a pasted key: PEM armour lines and whitespace dropped."""
    lines = [line.strip() for line in text.strip().splitlines()]
    return "".join(line for line in lines if line and not line.startswith("-----"))


def sendgrid_public_key(text: str) -> ec.EllipticCurvePublicKey | None:
    """The elliptic-curve public key in ``text``, or None when it is not one."""
    pem = f"-----BEGIN PUBLIC KEY-----\n{key_body(text)}\n-----END PUBLIC KEY-----\n"
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, TypeError, UnicodeEncodeError, binascii.Error):
        return None
    return key if isinstance(key, ec.EllipticCurvePublicKey) else None
