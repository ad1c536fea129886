"""Signed open and click URLs of marketing messages.

A token is ``django.core.signing`` data salted with the tenant's schema, so a token made for one
workspace is refused on every other (404, nothing recorded). An open token names the recipient; a
click token names the recipient and the link. Only links the message itself carried are ever
signed, so the redirect cannot be pointed anywhere else: there is no open redirect to abuse."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html import unescape

from django.conf import settings
from django.core import signing
from django.db import connection
from django.utils.html import escape

from core.token_urls import token_path

# href="http…" / href='http…' of anchors. mailto:, tel: and anchors within the page stay as they are.
_HREF = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?://[^"']+)\2""", re.IGNORECASE)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def _salt(kind: str) -> str:
    return f"marketing-delivery:{kind}:{getattr(connection, 'schema_name', '')!s}"


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def tenant_base_url() -> str:
    host = getattr(getattr(connection, "tenant", None), "primary_host", "")
    scheme = settings.PUBLIC_URL_SCHEME
    return f"{scheme}://{host}"


def open_token(recipient_id: int) -> str:
    return signing.dumps(recipient_id, salt=_salt("open"))


def click_token(recipient_id: int, url: str) -> str:
    return signing.dumps([recipient_id, url], salt=_salt("click"), compress=True)


@dataclass(frozen=True)
class Click:
    recipient_id: int
    url: str


def read_open_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=_salt("open"))
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_click_token(token: str) -> Click | None:
    try:
        value = signing.loads(token, salt=_salt("click"))
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2):
        return None
    recipient_id, url = value
    if not isinstance(recipient_id, int) or not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    return Click(recipient_id, url)


def open_url(recipient_id: int, base: str) -> str:
    return base + token_path("marketing-tracking:open", open_token(recipient_id))


def click_url(recipient_id: int, url: str, base: str) -> str:
    return base + token_path("marketing-tracking:click", click_token(recipient_id, url))


def links_of(html: str) -> list[str]:
    """The web links of a message's HTML, in order, each once."""
    seen: dict[str, None] = {}
    for match in _HREF.finditer(html):
        seen.setdefault(unescape(match.group(3)), None)
    return list(seen)


def with_tracking(html: str, recipient_id: int, *, opens: bool, clicks: bool, base: str) -> str:
    """``html`` with its web links through the click redirect and an open pixel before ``</body>``."""
    if clicks:

        def _swap(match: re.Match[str]) -> str:
            target = click_url(recipient_id, unescape(match.group(3)), base)
            return f"{match.group(1)}{match.group(2)}{escape(target)}{match.group(2)}"

        html = _HREF.sub(_swap, html)
    if opens:
        pixel = f'<img src="{escape(open_url(recipient_id, base))}" width="1" height="1" alt="" style="display:block">'
        html, found = _BODY_END.subn(pixel + "</body>", html, count=1)
        if not found:
            html += pixel
    return html
