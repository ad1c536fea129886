"""A Gmail mailbox connected through Google's OAuth2 flow and synced by the mailbox task: the
first sync brings a message to the contact's timeline, the next reads Gmail's history only, an
access token expiring mid-sync is refreshed, mail written in the CRM leaves through Gmail into
the conversation, and a withdrawn consent stops the sync and tells the owner."""

from __future__ import annotations

from modules.activities.models import Notification
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.mailboxes.choices import MailboxKind, MailboxVisibility
from modules.mailboxes.models import MailMessage
from modules.mailboxes.tasks import sync_mailbox, sync_mailboxes
from modules.oauth_accounts.choices import AccountState
from modules.oauth_accounts.models import OAuthAccount
from tests.factories import ContactFactory
from tests.google.conftest import gmail_mailbox
from tests.google_server import GoogleServer
from tests.mailboxes.conftest import message
from tests.tenancy import REP_EMAIL, TenantFixture


def test_connect_then_first_sync_then_history(alpha: TenantFixture, google_server: GoogleServer):
    mailbox = gmail_mailbox(alpha, google_server, visibility=MailboxVisibility.FULL)
    with alpha.active():
        contact = ContactFactory(email="ana@acme.example", owner=alpha.user(REP_EMAIL))
        account = OAuthAccount.objects.get()
    first_id, first = message(sender="Ana <ana@acme.example>", to=google_server.state.email)
    google_server.deliver(first)
    google_server.deliver(message(sender="bo@elsewhere.example", to=google_server.state.email)[1])

    with alpha.active():
        stored = sync_mailbox(mailbox.pk)
    html = alpha.client(REP_EMAIL).get(f"/timeline/contact/{contact.pk}/").content.decode()

    assert (mailbox.kind, mailbox.email, account.provider) == (MailboxKind.GOOGLE, google_server.state.email, "google")
    assert "https://www.googleapis.com/auth/gmail.readonly" in google_server.state.codes_scopes
    assert stored == 2
    assert "Pricing for next year" in html

    google_server.deliver(message(sender="ana@acme.example", to=google_server.state.email, subject="Follow-up",
                                  in_reply_to=first_id)[1])  # fmt: skip
    google_server.state.requests.clear()
    with alpha.active():
        assert sync_mailbox(mailbox.pk) == 1
        assert sync_mailbox(mailbox.pk) == 0
        entries = TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, contact=contact).count()
    assert entries == 1  # the follow-up joined the thread's entry
    assert "GET /gmail/v1/users/me/messages" not in google_server.state.requests


def test_an_access_token_expiring_mid_sync_is_refreshed(alpha: TenantFixture, google_server: GoogleServer):
    mailbox = gmail_mailbox(alpha, google_server)
    for index in range(4):
        google_server.deliver(message(sender=f"ana{index}@acme.example", to=google_server.state.email)[1])
    google_server.state.expire_after_calls = google_server.state.api_calls + 3

    with alpha.active():
        stored = sync_mailbox(mailbox.pk)
        account = OAuthAccount.objects.get()

    assert stored == 4
    assert google_server.state.rejected_tokens == 1
    assert google_server.state.token_requests == ["authorization_code", "refresh_token"]
    assert account.state == AccountState.ACTIVE


def test_a_revoked_consent_stops_the_sync_and_tells_the_owner(alpha: TenantFixture, google_server: GoogleServer):
    mailbox = gmail_mailbox(alpha, google_server)
    google_server.deliver(message(sender="ana@acme.example", to=google_server.state.email)[1])
    google_server.revoke_all()

    with alpha.active():
        stored = sync_mailbox(mailbox.pk)
        account = OAuthAccount.objects.get()
        queued = sync_mailboxes()
        notes = list(Notification.objects.filter(entity="oauth_account").values_list("recipient__email", flat=True))
    page = alpha.client(REP_EMAIL).get("/settings/mailboxes/").content.decode()
    calls = len(google_server.state.requests)
    with alpha.active():
        assert sync_mailbox(mailbox.pk) == 0
        assert not MailMessage.objects.exists()

    assert stored == 0
    assert account.state == AccountState.REVOKED
    assert queued == 0
    assert notes == [REP_EMAIL]
    assert 'data-testid="account-revoked"' in page
    assert len(google_server.state.requests) == calls  # nothing asked of Google any more


def test_the_owner_manages_the_gmail_mailbox_and_disconnecting_revokes_the_grant_at_google(
    alpha: TenantFixture, google_server: GoogleServer
):
    mailbox = gmail_mailbox(alpha, google_server)
    client = alpha.client(REP_EMAIL)

    listing = client.get("/settings/mailboxes/")
    edit = client.get(f"/settings/mailboxes/{mailbox.pk}/")
    gone = client.post(f"/settings/mailboxes/{mailbox.pk}/disconnect/")

    assert listing.status_code == 200
    assert google_server.state.email in listing.content.decode()
    assert edit.status_code == 200
    assert gone.status_code == 302
    with alpha.active():
        assert not OAuthAccount.objects.exists()
    assert "POST /revoke" in google_server.state.requests
    assert all(grant.revoked for grant in google_server.state.grants.values())
