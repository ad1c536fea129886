"""The public links a marketing message carries: the one-click unsubscribe / preference page
(RFC 8058) and the double opt-in confirmation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection

from core.token_urls import token_path
from modules.marketing.consent.tokens import make_unsubscribe_token

if TYPE_CHECKING:
    from modules.contacts.models import Contact
    from modules.marketing.models import Topic


def _scheme() -> str:
    return settings.PUBLIC_URL_SCHEME


def absolute(path: str, *, host: str | None = None) -> str:
    """``path`` on ``host``, by default the workspace's primary host."""
    host = host or getattr(getattr(connection, "tenant", None), "primary_host", "")
    return f"{_scheme()}://{host}{path}"


def unsubscribe_url(
    contact: Contact, *, email: str | None = None, topic: Topic | None = None, send: int | None = None
) -> str:
    """The path of the signed one-click unsubscribe URL, which is also the preference page
    (GET shows the page; a POST of ``List-Unsubscribe=One-Click`` unsubscribes). ``topic``:
    unsubscribe from that topic only; ``send``: the per-recipient send id the unsubscribe is
    reported with (``consent.changed`` ``data["send_id"]``)."""
    token = make_unsubscribe_token(
        contact.pk,
        (email or contact.email or "").strip(),
        topic_id=topic.pk if topic is not None else None,
        send_id=send,
    )
    return token_path("marketing-consent-public:unsubscribe", token)


def list_unsubscribe_headers(
    contact: Contact,
    *,
    topic: Topic | None = None,
    request_host: str,
    send: int | None = None,
    email: str | None = None,
) -> dict[str, str]:
    """The RFC 8058 headers of a marketing message to ``contact``: List-Unsubscribe with the HTTPS
    one-click URL on ``request_host`` and List-Unsubscribe-Post."""
    url = absolute(unsubscribe_url(contact, email=email, topic=topic, send=send), host=request_host)
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
