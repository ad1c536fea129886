"""E-mail files dropped on a record: an .eml and an Outlook .msg are logged with their
attachments on that record and the records their addresses match, once however often they are
dropped; a broken file is refused by name and nothing is written; isolation and permissions."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from modules.collaboration.models.attachment import attachment_storage
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.mailboxes.models import MailAttachment, MailLink, MailMessage
from tests.factories import ContactFactory, DealFactory
from tests.mail_logging.msg_files import outlook_message
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, revoke


@pytest.fixture(autouse=True)
def private_files(tmp_path: Path, settings: Any) -> None:
    settings.PRIVATE_FILES_ROOT = tmp_path


def _eml(*, sender: str, to: str, subject: str, attachment: bytes | None = None) -> bytes:
    mail = EmailMessage()
    mail["Message-ID"] = make_msgid(domain="acme.example")
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail["Date"] = format_datetime(timezone.now())
    mail.set_content("The figures are attached.")
    if attachment is not None:
        mail.add_attachment(attachment, maintype="application", subtype="pdf", filename="figures.pdf")
    return mail.as_bytes()


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_eml_and_msg_files_dropped_on_a_deal_are_logged_with_their_attachments_once(alpha: TenantFixture):
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        ana = ContactFactory(email="ana@acme.example", owner=rep)
        deal = DealFactory(owner=rep)
    eml = _eml(sender="Ana <ana@acme.example>", to=REP_EMAIL, subject="Q3 figures", attachment=b"%PDF-1.4 q3")
    msg = outlook_message(
        subject="Re: Q3 figures", body="Thanks, Ana.", sender=REP_EMAIL, sender_name="Rita Rep",
        to=["ana@acme.example"], message_id="<reply-1@example.test>", attachments=[("notes.txt", b"call on Monday")],
    )  # fmt: skip
    client = alpha.client(REP_EMAIL)

    response = client.post(
        f"/mail/compose/deal/{deal.pk}/log-files/", {"files": [_upload("q3.eml", eml), _upload("reply.msg", msg)]}
    )
    again = client.post(f"/mail/compose/deal/{deal.pk}/log-files/", {"files": [_upload("q3 copy.eml", eml)]})

    assert response.status_code == 302
    assert response["Location"] == f"/deals/{deal.pk}/"
    assert again.status_code == 302
    with alpha.active():
        messages = {message.subject: message for message in MailMessage.objects.all()}
        assert set(messages) == {"Q3 figures", "Re: Q3 figures"}
        received, reply = messages["Q3 figures"], messages["Re: Q3 figures"]
        assert (received.origin, received.direction, received.mailbox_id) == ("logged", "in", None)
        assert (reply.direction, reply.from_address, reply.to_addresses) == ("out", REP_EMAIL, ["ana@acme.example"])
        assert reply.message_id == "<reply-1@example.test>"
        assert "Thanks, Ana." in reply.text
        links = set(MailLink.objects.values_list("message__subject", "contact_id", "deal_id"))
        assert links == {
            ("Q3 figures", ana.pk, None), ("Q3 figures", None, deal.pk),
            ("Re: Q3 figures", ana.pk, None), ("Re: Q3 figures", None, deal.pk),
        }  # fmt: skip
        files = {a.name: attachment_storage().open(a.storage_key).read() for a in MailAttachment.objects.all()}
        assert files == {"figures.pdf": b"%PDF-1.4 q3", "notes.txt": b"call on Monday"}
        assert TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, deal=deal).count() == 2
        assert TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, contact=ana).count() == 2
    colleague_view = alpha.client().get(f"/timeline/deal/{deal.pk}/").content.decode()
    assert "Q3 figures" in colleague_view
    assert "The figures are attached." in colleague_view


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("broken.msg", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
        ("text.msg", b"From: someone\r\n\r\nnot a compound file"),
        ("photo.eml", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
        ("notes.txt", b"From: a@b.example\r\n\r\nhello"),
    ],
)
def test_a_broken_file_is_refused_by_name_and_nothing_is_logged(alpha: TenantFixture, name: str, content: bytes):
    with alpha.active():
        contact = ContactFactory(email="ana@acme.example", owner=alpha.user(REP_EMAIL))
    good = _eml(sender="ana@acme.example", to=REP_EMAIL, subject="Fine")

    response = alpha.client(REP_EMAIL).post(
        f"/mail/compose/contact/{contact.pk}/log-files/", {"files": [_upload("fine.eml", good), _upload(name, content)]}
    )

    assert response.status_code == 400
    [problem] = response.context["errors"]["files"]
    assert problem.startswith(f"{name}:")
    with alpha.active():
        assert not MailMessage.objects.exists()
        assert not TimelineEntry.objects.filter(kind=TimelineKind.EMAIL).exists()


def test_another_tenant_a_role_without_the_permission_and_a_hidden_record_are_refused(
    alpha: TenantFixture, beta: TenantFixture
):
    with alpha.active():
        contact = ContactFactory(email="ana@acme.example", owner=alpha.user(REP_EMAIL))
        hidden = ContactFactory(email="bo@acme.example", owner=alpha.user())
    eml = _eml(sender="ana@acme.example", to=REP_EMAIL, subject="Hi")
    url = f"/mail/compose/contact/{contact.pk}/log-files/"

    assert_cross_tenant_requests_fail(
        alpha, beta, [("get", url, {}), ("post", url, {"files": [_upload("a.eml", eml)]})]
    )
    assert alpha.client(REP_EMAIL).get(f"/mail/compose/contact/{hidden.pk}/log-files/").status_code == 404
    assert alpha.client(REP_EMAIL).get(url).status_code == 200
    revoke(alpha, "sales_rep", "activities.change")
    assert alpha.client(REP_EMAIL).post(url, {"files": [_upload("a.eml", eml)]}).status_code == 403
    with alpha.active():
        assert not MailMessage.objects.exists()
