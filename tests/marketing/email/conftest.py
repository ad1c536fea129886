"""Marketing e-mail test helpers: a draft made through the service, its blocks, the SMTP server."""

from __future__ import annotations

from typing import Any

from modules.marketing.email.services.emails import create_email
from modules.marketing.models import MarketingEmail
from tests.mail_server import smtp_server  # noqa: F401
from tests.marketing.email.dns_server import dns_zone  # noqa: F401
from tests.tenancy import TenantFixture

BLOCKS: list[dict[str, Any]] = [
    {"type": "heading", "text": 'Hello {{ contact.first_name | default: "there" }}'},
    {"type": "text", "html": "<p>News for <b>{{ company.name | default: \"your team\" }}</b>.</p>"},
    {"type": "button", "label": "Read more", "href": "https://news.example.com/spring"},
    {"type": "columns", "left": [{"type": "image", "src": "https://cdn.example.com/a.png", "alt": "Spring"}],
     "right": [{"type": "text", "html": "<p>Right column</p>"}]},
    {"type": "footer", "text": "You hear from us because you asked."},
]  # fmt: skip


def make_email(tenant: TenantFixture, **values: Any) -> MarketingEmail:
    with tenant.active():
        values.setdefault("name", "Spring newsletter")
        values.setdefault("subject", 'Spring news, {{ contact.first_name | default: "friend" }}')
        values.setdefault("content", BLOCKS)
        return create_email(by=tenant.user(), **values)
