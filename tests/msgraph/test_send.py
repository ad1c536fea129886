"""E-mail written on a record leaves through the writer's Microsoft 365 mailbox: Graph's
``/me/sendMail`` with the MIME the CRM built (From the mailbox's address, the CRM's Message-ID),
Exchange keeps the copy in Sent Items, and the next sync finds that copy as the same message."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path
from typing import Any

import pytest

from modules.mailboxes.models import MailMessage
from modules.mailboxes.tasks import sync_mailbox
from modules.oauth_accounts.models import OAuthAccount
from tests.factories import ContactFactory
from tests.msgraph.conftest import connected_mailbox
from tests.tenancy import REP_EMAIL, TenantFixture

pytestmark = pytest.mark.usefixtures("eager_tasks")


@pytest.fixture(autouse=True)
def private_files(tmp_path: Path, settings: Any) -> None:
    settings.PRIVATE_FILES_ROOT = tmp_path


def _post(tenant: TenantFixture, contact: Any, capture: Any, **values: str) -> Any:
    data = {"to": "ada@analytical.example", "subject": "Our offer", "body": "Here it is.", "template": "", **values}
    with capture(execute=True):
        return tenant.client(REP_EMAIL).post(f"/mail/compose/contact/{contact.pk}/", data)


def test_an_email_leaves_through_graph_and_its_sent_copy_is_the_same_message(
    alpha: TenantFixture, fake_microsoft, django_capture_on_commit_callbacks: Any
):
    mailbox = connected_mailbox(alpha, fake_microsoft)
    with alpha.active():
        contact = ContactFactory(email="ada@analytical.example", owner=alpha.user(REP_EMAIL))
    form = alpha.client(REP_EMAIL).get(f"/mail/compose/contact/{contact.pk}/")

    response = _post(alpha, contact, django_capture_on_commit_callbacks, send_from=str(mailbox.pk))
    with alpha.active():
        stored = MailMessage.objects.get(subject="Our offer")
        synced = sync_mailbox(mailbox.pk)
        copies = MailMessage.objects.filter(message_id=stored.message_id).count()
    [raw] = fake_microsoft.sent
    sent = email.message_from_bytes(raw, policy=policy.default)

    assert form.context["values"]["send_from"] == str(mailbox.pk)
    assert response.status_code == 302
    assert fake_microsoft.email in str(sent["From"])
    assert sent["Message-ID"] == stored.message_id
    assert stored.send_state == "sent"
    assert (synced, copies) == (0, 1)


def test_a_revoked_account_cannot_send_and_the_message_waits_with_the_error(
    alpha: TenantFixture, fake_microsoft, django_capture_on_commit_callbacks: Any
):
    mailbox = connected_mailbox(alpha, fake_microsoft)
    with alpha.active():
        contact = ContactFactory(email="ada@analytical.example", owner=alpha.user(REP_EMAIL))
        OAuthAccount.objects.update(state="revoked")
    form = alpha.client(REP_EMAIL).get(f"/mail/compose/contact/{contact.pk}/")

    refused = _post(alpha, contact, django_capture_on_commit_callbacks, send_from=str(mailbox.pk))

    assert form.context["values"]["send_from"] != str(mailbox.pk)
    assert refused.status_code == 400
    assert list(refused.context["errors"]) == ["send_from"]
    assert fake_microsoft.sent == []
