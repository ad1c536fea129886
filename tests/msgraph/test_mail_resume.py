"""A Microsoft mailbox's sync that fails half way (Graph unavailable, as a worker dying would
leave it) goes on from the last committed page without duplicates and backs off meanwhile; the
sync task reaches no other tenant's mailbox; the mailbox list costs the same queries for 2 and 12
Microsoft mailboxes."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from modules.mailboxes.choices import MailboxKind, MailboxState
from modules.mailboxes.models import Mailbox, MailFolder, MailMessage
from modules.mailboxes.services.mailboxes import connect_mailbox
from modules.mailboxes.tasks import sync_mailbox
from modules.oauth_accounts.models import OAuthAccount
from tests.msgraph.conftest import connected_mailbox, mail
from tests.tenancy import REP_EMAIL, TenantFixture


def test_a_sync_failing_half_way_goes_on_from_the_last_committed_page(alpha: TenantFixture, fake_microsoft):
    mailbox = connected_mailbox(alpha, fake_microsoft)
    ids = [fake_microsoft.deliver(mail(sender=f"ana{i}@acme.example", to=fake_microsoft.email)[1]) for i in range(5)]
    fake_microsoft.failing_messages.add(ids[3])  # on the second page of two

    with alpha.active():
        first = sync_mailbox(mailbox.pk)
        kept = MailMessage.objects.count()
        failed = Mailbox.objects.get(pk=mailbox.pk)
        halfway = MailFolder.objects.get(mailbox=mailbox, name="inbox").delta_link
        Mailbox.objects.filter(pk=mailbox.pk).update(next_sync_at=timezone.now() - timedelta(seconds=1))
        second = sync_mailbox(mailbox.pk)
        total = MailMessage.objects.count()
        distinct = MailMessage.objects.values("message_id").distinct().count()
        healed = Mailbox.objects.get(pk=mailbox.pk)

    assert (first, kept) == (0, 2)  # the first page's two are committed, the failing page is not
    assert failed.state == MailboxState.FAILING
    assert "503" in failed.last_error
    assert "$skiptoken=" in halfway
    assert second == 3
    assert total == distinct == 5
    assert healed.state == MailboxState.ACTIVE


def test_the_sync_task_reaches_no_other_tenants_mailbox(alpha: TenantFixture, beta: TenantFixture, fake_microsoft):
    mailbox = connected_mailbox(alpha, fake_microsoft)
    fake_microsoft.deliver(mail(sender="ana@acme.example", to=fake_microsoft.email)[1])
    with beta.active():
        assert not Mailbox.objects.filter(pk=mailbox.pk).exists()
        assert sync_mailbox(mailbox.pk) == 0
        assert not MailMessage.objects.exists()
    with alpha.active():
        assert not MailMessage.objects.exists()
    assert fake_microsoft.graph_requests == ["GET /me"]  # only the address read while connecting


def _microsoft_mailboxes(alpha: TenantFixture, first: int, last: int) -> None:
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        for index in range(first, last):
            account = OAuthAccount.objects.create(user=rep, provider="microsoft", email=f"box{index}@contoso.example")
            connect_mailbox(owner=rep, kind=MailboxKind.MICROSOFT, email=account.email, oauth_account=account)


def test_the_list_costs_the_same_queries_for_2_and_12_microsoft_mailboxes(
    alpha: TenantFixture, django_assert_max_num_queries
):
    client = alpha.client(REP_EMAIL)
    _microsoft_mailboxes(alpha, 0, 2)
    with django_assert_max_num_queries(30) as few:
        assert client.get("/settings/mailboxes/").status_code == 200
    _microsoft_mailboxes(alpha, 2, 12)
    with alpha.active():
        OAuthAccount.objects.filter(email="box5@contoso.example").update(state="revoked")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/settings/mailboxes/").content.decode()

    assert page.count('data-testid="mailbox-row"') == 12
    assert page.count('data-testid="account-revoked"') == 1
