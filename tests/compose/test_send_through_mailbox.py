"""E-mail written on a record leaves through the writer's own connected mailbox when they have
one: their SMTP server (a real aiosmtpd), From their address, a copy appended to their Sent folder
on a real Dovecot; the sync then finds that copy as the same message, and the answer joins the
thread. The workspace's way of sending stays one choice away; nobody sends through another's
mailbox."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path
from typing import Any

import pytest

from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.mailboxes.choices import MailSecurity
from modules.mailboxes.models import MailMessage
from modules.mailboxes.tasks import sync_mailbox
from tests.factories import ContactFactory
from tests.imap_server import HOST, ImapServer
from tests.mail_server import MailServer
from tests.mailboxes.conftest import OWNER_ADDRESS, connect, message
from tests.tenancy import REP_EMAIL, TenantFixture

pytestmark = pytest.mark.usefixtures("eager_tasks")


@pytest.fixture(autouse=True)
def private_files(tmp_path: Path, settings: Any) -> None:
    settings.PRIVATE_FILES_ROOT = tmp_path


def _sent_folder(server: ImapServer) -> list[email.message.EmailMessage]:
    client = server.client()
    try:
        typ, _data = client.select("Sent", readonly=True)
        if typ != "OK":
            return []
        _typ, data = client.uid("SEARCH", None, "ALL")
        found = []
        for uid in (data[0] or b"").split():
            _typ, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
            found.append(email.message_from_bytes(bytes(fetched[0][1]), policy=policy.default))
        return found  # type: ignore[return-value]
    finally:
        client.logout()


def _post(tenant: TenantFixture, contact: Any, capture: Any, **values: str) -> Any:
    data = {"to": "ada@analytical.example", "subject": "Our offer", "body": "Here it is.", "template": "", **values}
    with capture(execute=True):
        return tenant.client(REP_EMAIL).post(f"/mail/compose/contact/{contact.pk}/", data)


def test_an_email_leaves_through_the_writers_mailbox_and_is_in_its_sent_folder(
    alpha: TenantFixture,
    imap_server: ImapServer,
    smtp_server: MailServer,
    django_capture_on_commit_callbacks: Any,
):
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        contact = ContactFactory(email="ada@analytical.example", owner=rep)
        mailbox = connect(
            rep, imap_server, display_name="Rita Rep", smtp_host=HOST, smtp_port=smtp_server.port,
            smtp_security=MailSecurity.NONE,
        )  # fmt: skip
    form = alpha.client(REP_EMAIL).get(f"/mail/compose/contact/{contact.pk}/")
    assert form.context["values"]["send_from"] == str(mailbox.pk)
    assert 'data-testid="compose-send-from"' in form.content.decode()

    response = _post(alpha, contact, django_capture_on_commit_callbacks, send_from=str(mailbox.pk))

    assert response.status_code == 302
    [sent] = smtp_server.to("ada@analytical.example")
    assert sent["From"] == f"Rita Rep <{OWNER_ADDRESS}>"
    assert sent["Reply-To"] is None
    [copy] = _sent_folder(imap_server)  # the folder did not exist: it was made for the copy
    assert copy["Message-ID"] == sent["Message-ID"]
    with alpha.active():
        stored = MailMessage.objects.select_related("thread").get()
        assert stored.mailbox_id == mailbox.pk
        assert stored.thread.mailbox_id == mailbox.pk
        assert stored.send_state == "sent"
        assert stored.send_error == ""
        assert stored.from_address == OWNER_ADDRESS
        [entry] = TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, contact=contact)
        assert entry.data["thread"] == stored.thread_id
        assert entry.data["mailbox"] == mailbox.pk

    # The next sync reads the Sent folder's copy as this very message, and the answer joins it.
    _answer_id, answer = message(
        sender="Ada <ada@analytical.example>", subject="Re: Our offer", in_reply_to=stored.message_id
    )
    imap_server.append(answer)
    with alpha.active():
        assert sync_mailbox(mailbox.pk) == 1
        messages = list(MailMessage.objects.order_by("date", "pk"))
        [entry] = TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, contact=contact)
    assert [m.thread_id for m in messages] == [stored.thread_id, stored.thread_id]
    assert messages[0].uid is not None  # the composed row got the Sent folder's UID
    assert entry.data["count"] == 2
    assert "Our offer" in alpha.client(REP_EMAIL).get(f"/timeline/contact/{contact.pk}/").content.decode()


def test_the_workspaces_address_stays_a_choice(
    alpha: TenantFixture, imap_server: ImapServer, smtp_server: MailServer, django_capture_on_commit_callbacks: Any
):
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        contact = ContactFactory(email="ada@analytical.example", owner=rep)
        connect(rep, imap_server, smtp_host=HOST, smtp_port=smtp_server.port, smtp_security=MailSecurity.NONE)

    assert _post(alpha, contact, django_capture_on_commit_callbacks, send_from="").status_code == 302

    [sent] = smtp_server.to("ada@analytical.example")
    assert OWNER_ADDRESS not in sent["From"]
    assert sent["Reply-To"] == REP_EMAIL
    assert _sent_folder(imap_server) == []
    with alpha.active():
        assert MailMessage.objects.get().mailbox_id is None


def test_nobody_sends_through_a_colleagues_mailbox_nor_one_without_smtp(
    alpha: TenantFixture, imap_server: ImapServer, smtp_server: MailServer, django_capture_on_commit_callbacks: Any
):
    with alpha.active():
        contact = ContactFactory(email="ada@analytical.example", owner=alpha.user(REP_EMAIL))
        colleagues = connect(
            alpha.user(), imap_server, smtp_host=HOST, smtp_port=smtp_server.port, smtp_security=MailSecurity.NONE
        )
        reading_only = connect(alpha.user(REP_EMAIL), imap_server)

    for mailbox in (colleagues, reading_only):
        response = _post(alpha, contact, django_capture_on_commit_callbacks, send_from=str(mailbox.pk))
        assert response.status_code == 400
        assert "send_from" in response.context["errors"]
    assert (
        "compose-send-from" not in alpha.client(REP_EMAIL).get(f"/mail/compose/contact/{contact.pk}/").content.decode()
    )
    with alpha.active():
        assert not MailMessage.objects.exists()
    assert smtp_server.messages == []


def test_a_refusing_smtp_server_is_retried_and_recorded(
    alpha: TenantFixture, imap_server: ImapServer, smtp_server: MailServer
):
    from modules.mailboxes.services.compose import Draft, compose, send_composed

    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        contact = ContactFactory(email="ada@analytical.example", owner=rep)
        mailbox = connect(rep, imap_server, smtp_host=HOST, smtp_port=smtp_server.port, smtp_security=MailSecurity.NONE)
        written = compose(
            contact, "contact", Draft(to=["ada@analytical.example"], subject="S", body="B", mailbox=mailbox), by=rep
        )
        smtp_server.refuse("451 4.3.0 Try again later")
        with pytest.raises(Exception, match="Try again later"):
            send_composed(written.pk)
        written.refresh_from_db()
        assert (written.send_state, written.send_attempts) == ("queued", 1)
        assert "Try again later" in written.send_error
        smtp_server.accept()
        assert send_composed(written.pk) == "sent"
        assert send_composed(written.pk) == "skipped"
    assert len(smtp_server.to("ada@analytical.example")) == 1
    assert len(_sent_folder(imap_server)) == 1
