"""E-mail written on a record leaves through the writer's Gmail mailbox: Gmail's
``users.messages.send`` with the CRM's own Message-ID and threading headers, a reply in the Gmail
conversation of the message it answers, and the next sync finds the Sent copy as the same message."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest

from modules.mailboxes.models import MailMessage
from modules.mailboxes.services.compose import Draft, compose, send_composed
from modules.mailboxes.tasks import sync_mailbox
from tests.factories import ContactFactory
from tests.google.conftest import gmail_mailbox
from tests.google_server import GoogleServer
from tests.mailboxes.conftest import message
from tests.tenancy import REP_EMAIL, TenantFixture


@pytest.fixture(autouse=True)
def private_files(tmp_path: Path, settings: Any) -> None:
    settings.PRIVATE_FILES_ROOT = tmp_path


def test_a_reply_written_here_leaves_through_gmail_into_the_conversation(
    alpha: TenantFixture, google_server: GoogleServer
):
    mailbox = gmail_mailbox(alpha, google_server)
    first_id, first = message(sender="ana@acme.example", to=google_server.state.email)
    conversation = google_server.state.mails[google_server.deliver(first)].thread_id
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        contact = ContactFactory(email="ana@acme.example", owner=rep)
        assert sync_mailbox(mailbox.pk) == 1
        answering = MailMessage.objects.get(message_id=first_id)
        draft = Draft(to=["ana@acme.example"], cc=[], subject="Re: Pricing for next year", body="Here it is.",
                      mailbox=mailbox)  # fmt: skip
        written = compose(contact, "contact", draft, by=rep, answering=answering)

        assert send_composed(written.pk) == "sent"
        assert send_composed(written.pk) == "skipped"  # sent once, whatever redelivers the task

    (sent,) = google_server.state.sent
    headers = message_from_bytes(sent.raw)
    assert sent.thread_id == conversation
    assert headers["Message-ID"] == written.message_id
    assert headers["In-Reply-To"] == first_id
    assert google_server.state.email in headers["From"]
    with alpha.active():
        assert sync_mailbox(mailbox.pk) == 0  # the Sent copy is the message written here
        written.refresh_from_db()
        assert written.send_state == "sent"
        assert written.uid is not None
        assert MailMessage.objects.filter(thread=answering.thread).count() == 2
