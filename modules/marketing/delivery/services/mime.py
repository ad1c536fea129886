"""A marketing message's bytes for SMTP, written directly rather than through ``email.generator``.

Every marketing message has the same shape: a ``multipart/alternative`` of a UTF-8 text part and a
UTF-8 HTML part, a dozen headers. Django's ``EmailMultiAlternatives.message()`` and the standard
library's generator build a tree of MIME objects and fold every header through ``email.header``
for each message, and compile a regular expression per message to check its boundary: in a
profiled send of 1,000 messages that was more than a third of the CPU the send took. This writes
the same MIME structure the way Django does — the same headers (the address headers through
Django's ``sanitize_address``, non-ASCII and long values encoded and folded by
``email.header.Header`` as Django and the generator do), and the same choice of transfer encoding
per part (7bit or 8bit, quoted-printable when a line is longer than RFC 5322's 998 octets) —
straight into bytes with CRLF line ends.

``tests/marketing/delivery/test_message_bytes.py`` parses both and compares them."""

from __future__ import annotations

import binascii
import uuid
from email.header import Header

from django.core.mail import BadHeaderError
from django.core.mail.message import ADDRESS_HEADERS, sanitize_address

CRLF = "\r\n"
LINE_LIMIT = 998  # RFC 5322's limit of a line, in octets
FOLD_AT = 78


def header(name: str, value: str) -> str:
    """One header line (folded when long), CRLF-terminated."""
    if "\n" in value or "\r" in value:
        raise BadHeaderError(f"Header values can't contain newlines (got {value!r} for header {name!r})")
    if not value.isascii():
        if name.lower() in ADDRESS_HEADERS:
            raise ValueError(f"the address header {name} must be sanitized first")
        value = Header(value, "utf-8", header_name=name).encode(linesep=CRLF)
    elif len(name) + 2 + len(value) > FOLD_AT and (len(name) + 2 + len(value) > LINE_LIMIT or " " in value):
        # Folded at its spaces; a long value with none (a URL) stays on its line, which may run to
        # RFC 5322's 998 octets.
        value = Header(value, header_name=name).encode(linesep=CRLF)
    return f"{name}: {value}{CRLF}"


def address(value: str) -> str:
    """An address as Django's SMTP backend puts it in the header and the envelope."""
    return sanitize_address(value, "utf-8")


def _part(subtype: str, content: str) -> str:
    """A text part (headers, blank line, body), as ``SafeMIMEText`` writes it."""
    lines = content.splitlines()
    end = CRLF if content.endswith(("\n", "\r")) else ""
    encoded = [line.encode(errors="surrogateescape") for line in lines]
    if any(len(line) > LINE_LIMIT for line in encoded):
        # Quoted-printable shortens long lines (Django's choice too).
        data = CRLF.encode().join(encoded) + end.encode()
        body = binascii.b2a_qp(data, istext=True).decode("ascii")
        encoding = "quoted-printable"
    else:
        body = CRLF.join(lines) + end
        encoding = "7bit" if body.isascii() else "8bit"
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}MIME-Version: 1.0{CRLF}'
        f"Content-Transfer-Encoding: {encoding}{CRLF}{CRLF}{body}"
    )


def message_bytes(*, headers: list[tuple[str, str]], text: str, html: str) -> bytes:
    """The whole message: ``headers`` (name, value) in order after the MIME ones, then the text and
    the HTML alternatives."""
    plain, rich = _part("plain", text), _part("html", html)
    boundary = f"=_{uuid.uuid4().hex}"
    while boundary in plain or boundary in rich:  # practically never: a fresh random boundary
        boundary = f"=_{uuid.uuid4().hex}"
    top = [
        f'Content-Type: multipart/alternative;{CRLF} boundary="{boundary}"{CRLF}',
        f"MIME-Version: 1.0{CRLF}",
        *(header(name, value) for name, value in headers),
    ]
    body = f"{CRLF}--{boundary}{CRLF}{plain}{CRLF}--{boundary}{CRLF}{rich}{CRLF}--{boundary}--{CRLF}"
    # The 8bit parts may carry UTF-8; everything else is ASCII.
    return ("".join(top) + body).encode("utf-8", errors="surrogateescape")
