"""Gmail and Google Calendar tests: the local Google (``tests.google_server``) and an account
connected through the real authorization-code flow, as a browser would run it."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from django.test import Client

from modules.activities.calendar_sync.models import CalendarConnection
from modules.mailboxes.models import Mailbox
from tests.google_server import (
    GoogleServer,
    google_server,  # noqa: F401 - the fixture of these tests
)
from tests.tenancy import REP_EMAIL, TenantFixture


def consent(authorize_url: str) -> str:
    """The user signs in at Google and consents: the callback (path and query) Google sends the
    browser back to."""
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


def connect_through_flow(client: Client, purpose: str = "mailbox") -> str:
    """The whole flow from the settings page's button; the callback's answer's Location."""
    started = client.post("/settings/connected-accounts/google/connect/", {"purpose": purpose})
    assert started.status_code == 302, started.content
    answer = client.get(consent(started["Location"]))
    assert answer.status_code == 302, answer.content
    return str(answer["Location"])


def gmail_mailbox(alpha: TenantFixture, server: GoogleServer, **values: object) -> Mailbox:
    """The rep's Gmail mailbox, connected through the authorization-code flow."""
    connect_through_flow(alpha.client(REP_EMAIL))
    with alpha.active():
        if values:
            Mailbox.objects.update(**values)
        return Mailbox.objects.select_related("oauth_account", "owner").get()


def google_calendar(alpha: TenantFixture, server: GoogleServer) -> CalendarConnection:
    connect_through_flow(alpha.client(REP_EMAIL), purpose="calendar")
    with alpha.active():
        return CalendarConnection.objects.select_related("oauth_account").get()
