"""The logging address read as a mailbox over IMAP (a real Dovecot): what users Bcc or forward to
it is logged on the customers' records as the webhook logs it, nothing twice, automatic and
outsiders' mail left out; the settings are checked field by field and only administrators of the
workspace set them up or ask for a check."""

from __future__ import annotations

from typing import Any

import pytest

from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.mailboxes.models import MailMessage, MailSettings
from modules.mailboxes.tasks import poll_logging_mailbox
from tests.factories import ContactFactory
from tests.imap_server import ImapServer
from tests.mail_logging.test_logging_address import LOG_ADDRESS, _mail, _post
from tests.tenancy import REP_EMAIL, TenantFixture

pytestmark = pytest.mark.usefixtures("eager_tasks")


def _settings(imap: ImapServer, **changes: str) -> dict[str, Any]:
    values = {
        "tracking": "on", "logging_address": LOG_ADDRESS, "logging_active": "on", "imap_host": "127.0.0.1",
        "imap_port": str(imap.port), "imap_security": "none", "imap_user": imap.user,
        "imap_password": imap.password, "imap_folder": "INBOX",
    }  # fmt: skip
    return values | changes


def _poll(tenant: TenantFixture) -> int:
    with tenant.active():
        return poll_logging_mailbox()


def test_mail_delivered_to_the_logging_mailbox_is_logged_once(
    alpha: TenantFixture, beta: TenantFixture, imap_server: ImapServer
):
    with alpha.active():
        ana = ContactFactory(email="ana@acme.example")
    imap_server.create("Logged")
    assert alpha.client().post("/settings/email/", _settings(imap_server, imap_folder="Logged")).status_code == 302
    sent = _mail(sender=f"Rita <{REP_EMAIL}>", to="ana@acme.example", subject="Our call", bcc=LOG_ADDRESS)
    original = _mail(sender="ana@acme.example", to=REP_EMAIL, subject="My question")
    forward = _mail(sender=REP_EMAIL, to=LOG_ADDRESS, subject="Fwd: My question")
    forward.add_attachment(original)
    outsider = _mail(sender="ana@acme.example", to=LOG_ADDRESS, subject="Spam")
    away = _mail(sender=REP_EMAIL, to="ana@acme.example", subject="Away", headers={"Auto-Submitted": "auto-replied"})
    for mail in (sent, forward, outsider, away):
        imap_server.append(mail.as_bytes(), "Logged")

    assert _poll(beta) == 0  # another workspace's task reads nothing of this one's mailbox
    assert _poll(alpha) == 4
    imap_server.append(sent.as_bytes(), "Logged")  # delivered again: still one message
    assert _poll(alpha) == 1
    assert _poll(alpha) == 0

    with alpha.active():
        assert set(MailMessage.objects.values_list("subject", flat=True)) == {"Our call", "My question"}
        assert TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, contact=ana).count() == 2
        row = MailSettings.objects.get()
        assert (row.last_uid, row.last_error) == (5, "")
        assert row.last_polled_at is not None
    url = alpha.client().get("/settings/email/").context["webhook"].split("alpha.localhost", 1)[-1]
    assert _post(alpha, url, sent.as_bytes()).json() == {"outcome": "logged already"}  # both ways: once
    with beta.active():
        assert not MailMessage.objects.exists()

    imap_server.recreate("Logged")  # a rebuilt folder (new UIDVALIDITY) is read again, adding nothing
    assert _poll(alpha) == 5
    with alpha.active():
        assert MailMessage.objects.count() == 2


def test_the_logging_mailbox_settings_are_checked_and_failures_shown(alpha: TenantFixture, imap_server: ImapServer):
    admin = alpha.client()
    for changes, field in [
        ({"imap_user": ""}, "imap_user"),
        ({"imap_password": ""}, "imap_password"),
        ({"imap_port": "seventy"}, "imap_port"),
        ({"imap_security": "carrier-pigeon"}, "imap_security"),
        ({"imap_folder": "x" * 201}, "imap_folder"),
        ({"imap_host": "does-not-exist.invalid"}, "imap_host"),
    ]:
        response = admin.post("/settings/email/", _settings(imap_server, **changes))
        assert response.status_code == 400, field
        assert field in response.context["errors"], field
    with alpha.active():
        assert not MailSettings.objects.exists()  # nothing half-written

    assert admin.post("/settings/email/", _settings(imap_server, imap_password="wrong")).status_code == 302
    assert admin.post("/settings/email/logging/check/").status_code == 302  # runs at once here
    page = admin.get("/settings/email/")
    assert "refused the login" in page.content.decode()
    with alpha.active():
        assert MailSettings.objects.get().last_uid == 0

    # A blank password keeps the stored one; the right one mends the mailbox.
    assert admin.post("/settings/email/", _settings(imap_server)).status_code == 302
    assert admin.post("/settings/email/", _settings(imap_server, imap_password="")).status_code == 302
    assert _poll(alpha) == 0
    with alpha.active():
        row = MailSettings.objects.get()
        assert (row.last_error, row.imap_password.startswith("fernet:")) == ("", True)
    assert 'data-testid="logging-mailbox-error"' not in admin.get("/settings/email/").content.decode()

    rep = alpha.client(REP_EMAIL)
    assert rep.post("/settings/email/logging/check/").status_code == 403
    assert rep.post("/settings/email/", _settings(imap_server, imap_host="")).status_code == 403
    with alpha.active():
        assert MailSettings.objects.get().imap_host == "127.0.0.1"
