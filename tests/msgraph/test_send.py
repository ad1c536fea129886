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
    assert 'data-testid="compose-send-from-error"' in refused.content.decode()
    assert "Choose one of your mailboxes that can send." in refused.content.decode()
    assert fake_microsoft.sent == []


def test_a_message_over_3_mb_leaves_through_a_draft_and_an_upload_session(
    alpha: TenantFixture, fake_microsoft, django_capture_on_commit_callbacks: Any
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    mailbox = connected_mailbox(alpha, fake_microsoft)
    with alpha.active():
        contact = ContactFactory(email="ada@analytical.example", owner=alpha.user(REP_EMAIL))
    files = {
        "brochure.pdf": bytes(range(256)) * 4 * 1024,  # 1 MB: fits the draft's MIME
        "video.mp4": b"v" * (5 * 1024 * 1024 + 17),  # over 3 MB: upload session, two ranges
        "sheet.xlsx": b"s" * (2 * 1024 * 1024),  # under 3 MB, no room left in the MIME: added to the draft
    }
    data = {"to": "ada@analytical.example", "subject": "Big offer", "body": "Files attached.", "template": "",
            "send_from": str(mailbox.pk),
            "attachments": [SimpleUploadedFile(name, content) for name, content in files.items()]}  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        response = alpha.client(REP_EMAIL).post(f"/mail/compose/contact/{contact.pk}/", data)
    with alpha.active():
        stored = MailMessage.objects.get(subject="Big offer")
        synced = sync_mailbox(mailbox.pk)
        copies = MailMessage.objects.filter(message_id=stored.message_id).count()
    [raw] = fake_microsoft.sent
    sent = email.message_from_bytes(raw, policy=policy.default)
    received = {part.get_filename(): part.get_payload(decode=True) for part in sent.iter_attachments()}
    requests = fake_microsoft.graph_requests

    assert response.status_code == 302
    assert stored.send_state == "sent"
    assert "POST /me/sendMail" not in requests
    assert requests.count("POST /me/messages") == 1
    assert sum(r.endswith("/attachments/createUploadSession") for r in requests) == 1
    assert sum(r.endswith("/attachments") for r in requests) == 1
    assert sum(r.endswith("/send") for r in requests) == 1
    assert sent["Message-ID"] == stored.message_id
    assert received == files
    assert fake_microsoft.drafts.drafts == {}
    assert (synced, copies) == (0, 1)


def test_a_failed_upload_deletes_the_draft_and_the_message_waits_with_the_error(
    alpha: TenantFixture, fake_microsoft, django_capture_on_commit_callbacks: Any, monkeypatch: Any
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from modules.mailboxes.services import graph_send
    from tests import msgraph_drafts

    mailbox = connected_mailbox(alpha, fake_microsoft)
    with alpha.active():
        contact = ContactFactory(email="ada@analytical.example", owner=alpha.user(REP_EMAIL))
    video = SimpleUploadedFile("video.mp4", b"v" * (200 * 1024))
    data = {"to": "ada@analytical.example", "subject": "Big offer", "body": "x", "template": "",
            "send_from": str(mailbox.pk), "attachments": [video]}  # fmt: skip
    # Small sizes keep the retried sends cheap: the MIME limit makes the file take an upload
    # session, which Graph then refuses.
    monkeypatch.setattr(graph_send, "MAX_MIME_BYTES", 64 * 1024)
    monkeypatch.setattr(msgraph_drafts, "MAX_UPLOAD", 100 * 1024)

    with django_capture_on_commit_callbacks(execute=True):
        alpha.client(REP_EMAIL).post(f"/mail/compose/contact/{contact.pk}/", data)
    with alpha.active():
        stored = MailMessage.objects.get(subject="Big offer")

    assert fake_microsoft.sent == []
    assert fake_microsoft.drafts.drafts == {}
    assert len(fake_microsoft.drafts.deleted) == stored.send_attempts >= 1
    assert stored.send_state != "sent"
    assert "400" in stored.send_error
