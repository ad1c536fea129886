"""A Microsoft 365 mailbox read through Graph delta queries: what arrives reaches the records it
is about (the same store as IMAP: threads, attachments, timelines), paging and delta links carry
the sync on without duplicates, an access token expiring mid-sync is refreshed, and a withdrawn
consent stops the sync and tells the owner."""

from __future__ import annotations

from modules.activities.models import Notification
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.mailboxes.choices import MailboxVisibility
from modules.mailboxes.models import MailAttachment, MailFolder, MailLink, MailMessage
from modules.mailboxes.tasks import sync_mailbox, sync_mailboxes
from modules.oauth_accounts.choices import AccountState
from modules.oauth_accounts.models import OAuthAccount
from tests.factories import ContactFactory
from tests.msgraph.conftest import connected_mailbox, mail
from tests.tenancy import REP_EMAIL, TenantFixture


def test_first_sync_brings_a_new_message_to_the_contacts_timeline_once(alpha: TenantFixture, fake_microsoft):
    mailbox = connected_mailbox(alpha, fake_microsoft, visibility=MailboxVisibility.FULL)
    with alpha.active():
        contact = ContactFactory(email="ana@acme.example", owner=alpha.user(REP_EMAIL))
    first_id, first = mail(sender="Ana <ana@acme.example>", to=fake_microsoft.email)
    _reply_id, reply = mail(
        sender=fake_microsoft.email, to="ana@acme.example", subject="Re: Order of spare parts", in_reply_to=first_id
    )
    fake_microsoft.deliver(first)
    fake_microsoft.deliver(reply, "sentitems")
    for index in range(3):  # four messages in the inbox: two pages of two
        fake_microsoft.deliver(mail(sender=f"other{index}@elsewhere.example", to=fake_microsoft.email)[1])

    with alpha.active():
        stored = sync_mailbox(mailbox.pk)
        again = sync_mailbox(mailbox.pk)
        message = MailMessage.objects.get(message_id=first_id)
        directions = sorted(MailMessage.objects.filter(thread=message.thread).values_list("direction", flat=True))
        attachment = MailAttachment.objects.get(message=message)
        links = list(MailLink.objects.filter(message=message).values_list("contact_id", flat=True))
        entries = TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, contact=contact).count()
        inbox = MailFolder.objects.get(mailbox=mailbox, name="inbox")
    html = alpha.client(REP_EMAIL).get(f"/timeline/contact/{contact.pk}/").content.decode()

    assert (stored, again) == (5, 0)
    assert directions == ["in", "out"]
    assert attachment.name == "order.pdf"
    assert links == [contact.pk]
    assert entries == 1
    assert "Order of spare parts" in html
    assert inbox.delta_link.startswith(
        fake_microsoft.base_url + "/v1.0/me/mailFolders/inbox/messages/delta?$deltatoken="
    )
    delta_calls = [r for r in fake_microsoft.graph_requests if r.endswith("/inbox/messages/delta")]
    assert len(delta_calls) == 2 + 1  # two pages, then the delta link once


def test_the_next_sync_reads_only_what_changed_and_the_first_one_its_period(alpha: TenantFixture, fake_microsoft):
    mailbox = connected_mailbox(alpha, fake_microsoft, first_sync_days=7)
    fake_microsoft.deliver(mail(sender="old@acme.example", to=fake_microsoft.email, days_ago=30)[1])
    with alpha.active():
        assert sync_mailbox(mailbox.pk) == 0
    new_id, new = mail(sender="new@acme.example", to=fake_microsoft.email)
    fake_microsoft.deliver(new)
    fetched_before = len([r for r in fake_microsoft.graph_requests if r.endswith("$value")])

    with alpha.active():
        assert sync_mailbox(mailbox.pk) == 1
        assert list(MailMessage.objects.values_list("message_id", flat=True)) == [new_id]
    assert len([r for r in fake_microsoft.graph_requests if r.endswith("$value")]) == fetched_before + 1


def test_an_access_token_expiring_mid_sync_is_refreshed(alpha: TenantFixture, fake_microsoft):
    mailbox = connected_mailbox(alpha, fake_microsoft)
    for index in range(4):
        fake_microsoft.deliver(mail(sender=f"ana{index}@acme.example", to=fake_microsoft.email)[1])
    original = fake_microsoft.authorized

    calls = {"n": 0}

    def expiring(header: str) -> bool:  # the token dies after the third Graph call
        calls["n"] += 1
        if calls["n"] == 3:
            fake_microsoft.expire_access_tokens()
        return original(header)

    fake_microsoft.authorized = expiring  # type: ignore[method-assign]
    with alpha.active():
        stored = sync_mailbox(mailbox.pk)
        account = OAuthAccount.objects.get()

    assert stored == 4
    assert fake_microsoft.rejected_tokens == 1
    assert [r["grant_type"] for r in fake_microsoft.token_requests] == ["authorization_code", "refresh_token"]
    assert account.state == AccountState.ACTIVE


def test_a_revoked_consent_stops_the_sync_and_tells_the_owner(alpha: TenantFixture, fake_microsoft):
    mailbox = connected_mailbox(alpha, fake_microsoft)
    fake_microsoft.deliver(mail(sender="ana@acme.example", to=fake_microsoft.email)[1])
    fake_microsoft.revoke()

    with alpha.active():
        stored = sync_mailbox(mailbox.pk)
        account = OAuthAccount.objects.get()
        queued = sync_mailboxes()
        notes = list(Notification.objects.filter(entity="oauth_account").values_list("recipient__email", flat=True))
    page = alpha.client(REP_EMAIL).get("/settings/mailboxes/").content.decode()
    graph_calls = len(fake_microsoft.graph_requests)
    with alpha.active():
        assert sync_mailbox(mailbox.pk) == 0

    assert stored == 0
    assert account.state == AccountState.REVOKED
    assert queued == 0
    assert notes == [REP_EMAIL]
    assert 'data-testid="account-revoked"' in page
    assert len(fake_microsoft.graph_requests) == graph_calls  # nothing asked of Graph any more
    with alpha.active():
        assert not MailMessage.objects.exists()
