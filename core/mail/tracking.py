"""Open and click tracking of outgoing HTML e-mail, shared by everything that sends it.

Tokens are ``django.core.signing`` data salted with their purpose and the tenant's schema, so a
token made in one workspace (or for one purpose) is refused everywhere else. Only links the message
itself carried are signed, so a click redirect cannot be pointed anywhere else: there is no open
redirect to abuse. ``track_links`` sends a message's web links through a redirect URL and
``add_pixel`` puts a 1×1 image before ``</body>``."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

from django.core import signing
from django.db import connection
from django.utils.html import escape

# href="http…" / href='http…' of anchors. mailto:, tel: and anchors within the page stay as they are.
HREF = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?://[^"']+)\2""", re.IGNORECASE)
BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def _salt(purpose: str) -> str:
    return f"{purpose}:{getattr(connection, 'schema_name', '')!s}"


def sign(purpose: str, value: Any) -> str:
    return signing.dumps(value, salt=_salt(purpose), compress=True)


def unsign(purpose: str, token: str) -> Any | None:
    """The value ``token`` carries for ``purpose`` in this workspace, else None."""
    if len(token) > 4000:
        return None
    try:
        return signing.loads(token, salt=_salt(purpose))
    except signing.BadSignature:
        return None


def track_links(html: str, redirect_url: Callable[[str], str]) -> str:
    """``html`` with each web link's target replaced by ``redirect_url(target)``."""

    def _swap(match: re.Match[str]) -> str:
        target = redirect_url(unescape(match.group(3)))
        return f"{match.group(1)}{match.group(2)}{escape(target)}{match.group(2)}"

    return HREF.sub(_swap, html)


def add_pixel(html: str, url: str) -> str:
    pixel = f'<img src="{escape(url)}" width="1" height="1" alt="" style="display:block">'
    html, found = BODY_END.subn(pixel + "</body>", html, count=1)
    return html if found else html + pixel
