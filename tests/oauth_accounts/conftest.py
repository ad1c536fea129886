"""Connected-account helpers: the fake Microsoft identity platform and Graph, and a user's
authorization-code flow run against it as a browser would."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from django.test import Client

from tests.msgraph_server import (
    FakeMicrosoft,
    fake_microsoft,  # noqa: F401 - the fixture of these tests
)


def consent(fake: FakeMicrosoft, authorize_url: str) -> str:
    """The user signs in at the provider and consents: the callback URL (path and query) the
    provider sends the browser back to."""
    parts = urlsplit(authorize_url)
    connection = http.client.HTTPConnection(str(parts.hostname), parts.port, timeout=10)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}")
        answer = connection.getresponse()
        answer.read()
    finally:
        connection.close()
    assert answer.status == 302, answer.status
    target = urlsplit(answer.getheader("Location") or "")
    return f"{target.path}?{target.query}"


def connect_through_flow(client: Client, fake: FakeMicrosoft, purpose: str = "mailbox") -> str:
    """Run the whole flow from the settings page's button; the callback's answer's Location."""
    started = client.post("/settings/connected-accounts/microsoft/connect/", {"purpose": purpose})
    assert started.status_code == 302, started.content
    answer = client.get(consent(fake, started["Location"]))
    assert answer.status_code == 302, answer.content
    return str(answer["Location"])
