"""The mailbox settings page (connect with a connection test, change, pause, disconnect) and who
sees what: the owner only reaches their own mailboxes, a role without the permission nothing,
another tenant nothing; colleagues see a thread on a timeline as the mailbox's visibility says."""

from __future__ import annotations

from typing import Any

import pytest

from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.mailboxes.choices import MailboxState, MailboxVisibility
from modules.mailboxes.models import Mailbox, MailMessage
from modules.mailboxes.services.mailboxes import connect_mailbox, update_mailbox
from modules.mailboxes.services.matching import Matcher
from modules.mailboxes.services.store import WrittenFiles, store_message
from tests.factories import ContactFactory
from tests.imap_server import HOST, ImapServer
from tests.mailboxes.conftest import OWNER_ADDRESS, message
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, revoke


def _form(server: ImapServer, **values: Any) -> dict[str, Any]:
    return {
        "email": OWNER_ADDRESS, "imap_host": HOST, "imap_port": server.port, "imap_security": "none",
        "imap_user": server.user, "imap_password": server.password, "inbox_folder": "INBOX", "sent_folder": "Sent",
        "smtp_host": "", "smtp_port": 587, "smtp_security": "starttls", "smtp_user": "", "display_name": "Rita",
        "visibility": "subject", "first_sync_days": 30, "excluded": "", **values,
    }  # fmt: skip


def _mailbox(alpha: TenantFixture, email: str = REP_EMAIL, **values: Any) -> Mailbox:
    with alpha.active():
        return connect_mailbox(
            owner=alpha.user(email), email=values.pop("address", OWNER_ADDRESS), imap_host="imap.mail.example",
            imap_user="rita", imap_password="app-password", **values,
        )  # fmt: skip


def test_connecting_tests_the_connection_and_stores_the_password_encrypted(alpha: TenantFixture, imap_server):
    client = alpha.client(REP_EMAIL)

    refused = client.post("/settings/mailboxes/connect/", _form(imap_server, imap_password="wrong"))
    with alpha.active():
        assert not Mailbox.objects.exists()
    response = client.post("/settings/mailboxes/connect/", _form(imap_server))
    with alpha.active():
        mailbox = Mailbox.objects.get()
    page = client.get("/settings/mailboxes/").content.decode()

    assert refused.status_code == 400
    assert "refused the login" in refused.content.decode()
    assert response.status_code == 302
    assert mailbox.owner.email == REP_EMAIL
    assert mailbox.imap_password.startswith("fernet:")
    assert imap_server.password not in mailbox.imap_password
    assert OWNER_ADDRESS in page


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("imap_host", "imap\x00.example"),
        ("email", "x" * 300 + "@example.com"),
        ("imap_port", "70000"),
        ("first_sync_days", "99999999999999999999"),
        ("excluded", "not an address"),
        ("visibility", "everyone"),
    ],
)
def test_bad_input_is_refused_naming_the_field(alpha: TenantFixture, field: str, value: str):
    form = {
        "email": OWNER_ADDRESS, "imap_host": "imap.mail.example", "imap_port": 993, "imap_security": "tls",
        "imap_user": "rita", "imap_password": "pw", "smtp_port": 587, "smtp_security": "starttls",
        "visibility": "subject", "first_sync_days": 30, field: value,
    }  # fmt: skip

    response = alpha.client(REP_EMAIL).post("/settings/mailboxes/connect/", form)

    assert response.status_code == 400
    assert f'data-testid="{field}-errors"' in response.content.decode()
    with alpha.active():
        assert not Mailbox.objects.exists()


def test_a_role_without_the_permission_reaches_no_page(alpha: TenantFixture):
    mailbox = _mailbox(alpha)
    revoke(alpha, "sales_rep", "activities.change")
    client = alpha.client(REP_EMAIL)

    for path in ("/settings/mailboxes/", "/settings/mailboxes/connect/", f"/settings/mailboxes/{mailbox.pk}/"):
        assert client.get(path).status_code == 403
    assert client.post(f"/settings/mailboxes/{mailbox.pk}/disconnect/").status_code == 403
    with alpha.active():
        assert Mailbox.objects.filter(pk=mailbox.pk).exists()


def test_a_colleague_cannot_reach_someone_elses_mailbox(alpha: TenantFixture):
    mailbox = _mailbox(alpha)
    admin = alpha.client(ADMIN_EMAIL)

    listing = admin.get("/settings/mailboxes/").content.decode()
    for action in ("pause", "disconnect", "sync"):
        assert admin.post(f"/settings/mailboxes/{mailbox.pk}/{action}/").status_code == 404
    assert admin.get(f"/settings/mailboxes/{mailbox.pk}/").status_code == 404

    assert OWNER_ADDRESS not in listing
    with alpha.active():
        assert Mailbox.objects.get(pk=mailbox.pk).state == MailboxState.ACTIVE


def test_another_tenant_cannot_reach_a_mailbox(alpha: TenantFixture, beta: TenantFixture):
    mailbox = _mailbox(alpha, email=ADMIN_EMAIL)
    base = f"/settings/mailboxes/{mailbox.pk}"
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"{base}/", {}),
            ("post", f"{base}/", {"visibility": "full", "first_sync_days": 30}),
            ("post", f"{base}/pause/", {}),
            ("post", f"{base}/resume/", {}),
            ("post", f"{base}/sync/", {}),
            ("post", f"{base}/disconnect/", {}),
        ],
    )


def test_pause_resume_and_disconnect(alpha: TenantFixture):
    mailbox = _mailbox(alpha)
    client = alpha.client(REP_EMAIL)

    client.post(f"/settings/mailboxes/{mailbox.pk}/pause/")
    with alpha.active():
        paused = Mailbox.objects.get(pk=mailbox.pk).state
    client.post(f"/settings/mailboxes/{mailbox.pk}/resume/")
    with alpha.active():
        resumed = Mailbox.objects.get(pk=mailbox.pk).state
    client.post(f"/settings/mailboxes/{mailbox.pk}/disconnect/")

    assert (paused, resumed) == (MailboxState.PAUSED, MailboxState.ACTIVE)
    with alpha.active():
        assert not Mailbox.objects.filter(pk=mailbox.pk).exists()


def test_the_list_costs_the_same_queries_for_2_and_12_mailboxes(alpha: TenantFixture, django_assert_max_num_queries):
    for index in range(2):
        _mailbox(alpha, address=f"box{index}@mail.example")
    client = alpha.client(REP_EMAIL)
    with django_assert_max_num_queries(30) as few:
        assert client.get("/settings/mailboxes/").status_code == 200
    for index in range(2, 12):
        _mailbox(alpha, address=f"box{index}@mail.example")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/settings/mailboxes/").status_code == 200


def _received(alpha: TenantFixture, mailbox: Mailbox, contact_email: str) -> MailMessage:
    _message_id, raw = message(sender=contact_email, body="The discount we agreed is 12 percent.")
    with alpha.active():
        stored, _new = store_message(
            mailbox, raw, folder=None, uid=None, direction="in", matcher=Matcher(own_addresses=[OWNER_ADDRESS]),
            files=WrittenFiles(),
        )  # fmt: skip
    assert stored is not None
    return stored


@pytest.mark.parametrize(
    ("visibility", "colleague_sees_thread", "colleague_sees_text"),
    [
        (MailboxVisibility.PRIVATE, False, False),
        (MailboxVisibility.SUBJECT, True, False),
        (MailboxVisibility.FULL, True, True),
    ],
)
def test_colleagues_see_a_thread_as_the_mailbox_says(
    alpha: TenantFixture, visibility: str, colleague_sees_thread: bool, colleague_sees_text: bool
):
    with alpha.active():
        contact = ContactFactory(email="ana@acme.example", owner=alpha.user(REP_EMAIL))
    mailbox = _mailbox(alpha, visibility=visibility)
    _received(alpha, mailbox, "ana@acme.example")

    owner_html = alpha.client(REP_EMAIL).get(f"/timeline/contact/{contact.pk}/").content.decode()
    colleague_html = alpha.client(ADMIN_EMAIL).get(f"/timeline/contact/{contact.pk}/").content.decode()

    assert "Pricing for next year" in owner_html
    assert "12 percent" in owner_html
    assert ("Pricing for next year" in colleague_html) is colleague_sees_thread
    assert ("12 percent" in colleague_html) is colleague_sees_text


def test_making_a_mailbox_private_hides_its_threads_already_shown(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(email="ana@acme.example", owner=alpha.user(REP_EMAIL))
    mailbox = _mailbox(alpha, visibility=MailboxVisibility.FULL)
    _received(alpha, mailbox, "ana@acme.example")
    with alpha.active():
        update_mailbox(mailbox, by=alpha.user(REP_EMAIL), visibility=MailboxVisibility.PRIVATE)
        entries = TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, contact=contact)
        assert [entry.data["private"] for entry in entries] == [True]

    colleague_html = alpha.client(ADMIN_EMAIL).get(f"/timeline/contact/{contact.pk}/").content.decode()

    assert "Pricing for next year" not in colleague_html


def test_another_tenant_sees_no_thread(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        contact = ContactFactory(email="ana@acme.example", owner=alpha.user(ADMIN_EMAIL))
    mailbox = _mailbox(alpha, email=ADMIN_EMAIL, visibility=MailboxVisibility.FULL)
    _received(alpha, mailbox, "ana@acme.example")
    with beta.active():
        assert not MailMessage.objects.exists()
        assert not TimelineEntry.objects.filter(kind=TimelineKind.EMAIL).exists()
    assert_cross_tenant_requests_fail(alpha, beta, [("get", f"/timeline/contact/{contact.pk}/", {})])
