"""The workspace's BCC / forward logging address: mail a user sends to a customer with the address
in Bcc, posted by the relay to the webhook, is logged on the customer's records; a forward as an
attachment logs the original; mail from anyone else or automatic mail is not; the webhook URL is
the address's key (another tenant, a rotated or switched-off one: 404); only administrators set
it up."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from django.utils import timezone

from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.mailboxes.models import MailLink, MailMessage, MailSettings
from modules.mailboxes.services.mail_settings import logging_token
from tests.factories import ContactFactory
from tests.tenancy import REP_EMAIL, TenantFixture

LOG_ADDRESS = "log@alpha-sales.example"


def _mail(*, sender: str, to: str, subject: str, bcc: str = "", headers: dict[str, str] | None = None) -> EmailMessage:
    mail = EmailMessage()
    mail["Message-ID"] = make_msgid(domain="mail.example")
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    if bcc:
        mail["Bcc"] = bcc
    for name, value in (headers or {}).items():
        mail[name] = value
    mail["Date"] = format_datetime(timezone.now())
    mail.set_content(f"{subject}: the text.")
    return mail


def _set_up(tenant: TenantFixture) -> str:
    data = {"tracking": "on", "logging_address": LOG_ADDRESS, "logging_active": "on"}
    response = tenant.client().post("/settings/email/", data)
    assert response.status_code == 302
    with tenant.active():
        token = logging_token(MailSettings.objects.get())
    page = tenant.client().get("/settings/email/").content.decode()
    assert f"/mail/p/log/{token}/" in page
    return f"/mail/p/log/{token}/"


def _post(tenant: TenantFixture, url: str, raw: bytes) -> Any:
    return tenant.client(None).post(url, data=raw, content_type="message/rfc822")


def test_mail_bcc_to_the_logging_address_is_logged_on_the_customers_records(alpha: TenantFixture):
    with alpha.active():
        ana = ContactFactory(email="ana@acme.example")
    url = _set_up(alpha)
    sent = _mail(sender=f"Rita <{REP_EMAIL}>", to="ana@acme.example", subject="Our call", bcc=LOG_ADDRESS)
    original = _mail(sender="ana@acme.example", to=REP_EMAIL, subject="My question")
    forward = _mail(sender=REP_EMAIL, to=LOG_ADDRESS, subject="Fwd: My question")
    forward.add_attachment(original)

    first = _post(alpha, url, sent.as_bytes())
    again = _post(alpha, url, sent.as_bytes())
    forwarded = _post(alpha, url, forward.as_bytes())

    assert (first.status_code, first.json()) == (200, {"outcome": "logged"})
    assert again.json() == {"outcome": "logged already"}
    assert forwarded.json() == {"outcome": "logged"}
    with alpha.active():
        messages = {message.subject: message for message in MailMessage.objects.all()}
        assert set(messages) == {"Our call", "My question"}  # the forward logs the original
        assert (messages["Our call"].origin, messages["Our call"].direction) == ("logged", "out")
        assert messages["Our call"].sender_id == alpha.user(REP_EMAIL).pk
        assert messages["My question"].direction == "in"
        assert MailLink.objects.filter(contact=ana).count() == 2
        assert TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, contact=ana).count() == 2


def test_mail_from_outsiders_automatic_mail_and_unmatched_mail_are_not_logged(alpha: TenantFixture):
    with alpha.active():
        ContactFactory(email="ana@acme.example")
    url = _set_up(alpha)
    automatic = {"Auto-Submitted": "auto-replied"}
    mails = [
        _mail(sender="ana@acme.example", to=LOG_ADDRESS, subject="Spam"),
        _mail(sender=REP_EMAIL, to="ana@acme.example", subject="Away", headers=automatic),
        _mail(sender=REP_EMAIL, to="nobody@else.example", subject="Private"),
    ]
    outcomes = [_post(alpha, url, mail.as_bytes()).json() for mail in mails]

    assert [outcome["outcome"].split(":")[0] for outcome in outcomes] == ["ignored"] * 3
    with alpha.active():
        assert not MailMessage.objects.exists()
    assert _post(alpha, url, b"   ").status_code == 400
    assert "body" in _post(alpha, url, b"").json()["errors"]


def test_the_webhook_url_is_the_addresss_key_and_only_administrators_set_it_up(
    alpha: TenantFixture, beta: TenantFixture
):
    with alpha.active():
        ContactFactory(email="ana@acme.example")
    url = _set_up(alpha)
    raw = _mail(sender=REP_EMAIL, to="ana@acme.example", subject="Hi").as_bytes()

    assert _post(beta, url, raw).status_code == 404  # another tenant's host
    assert alpha.client().post("/settings/email/logging/rotate/").status_code == 302
    assert _post(alpha, url, raw).status_code == 404  # the old URL after rotation
    new_url = _set_up(alpha)
    alpha.client().post("/settings/email/", {"logging_address": LOG_ADDRESS})  # switched off
    assert _post(alpha, new_url, raw).status_code == 404
    assert alpha.client(REP_EMAIL).get("/settings/email/").status_code == 403
    assert alpha.client(REP_EMAIL).post("/settings/email/logging/rotate/").status_code == 403
    bad = alpha.client().post("/settings/email/", {"logging_address": "not-an-address", "logging_active": "on"})
    assert bad.status_code == 400
    assert "logging_address" in bad.context["errors"]
    assert alpha.client().post("/settings/email/", {"logging_address": REP_EMAIL}).status_code == 400
    with beta.active():
        assert not MailSettings.objects.exists()
    with alpha.active():
        assert not MailMessage.objects.exists()
