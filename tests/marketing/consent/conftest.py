"""Consent test helpers: topics, a contact that consented, its unsubscribe link, the SMTP server."""

from __future__ import annotations

from modules.marketing.models import Topic
from tests.mail_server import smtp_server  # noqa: F401 - a fixture of these tests
from tests.tenancy import TenantFixture, schema_snapshot


def make_topic(key: str = "newsletter", name: str = "Newsletter") -> Topic:
    return Topic.objects.create(key=key, name=name)


def written(fixture: TenantFixture) -> dict[str, str]:
    """The tenant's tables but the API keys' (a key's use is stamped on it)."""
    return {table: digest for table, digest in schema_snapshot(fixture.tenant).items() if table != "identity_apikey"}
