"""Whatever arrives, the intake answers: broken MIME, NUL bytes, huge headers, unknown charsets are
read as well as they can be, or recorded as rejected; never a 500, never half a case."""

from __future__ import annotations

from typing import Any

import pytest

from modules.service.mail.models import InboundMail
from modules.service.mail.services import intake
from modules.service.models import Case, CaseAttachment, CaseMessage
from tests.service.mail.conftest import customer_mail, make_address
from tests.tenancy import TenantFixture

HEADERS = b"From: Carla <carla@customer-co.example>\r\nTo: help@acme-support.example\r\n"


def _post(tenant: TenantFixture, address: Any, raw: bytes) -> Any:
    from modules.service.mail.services.addresses import inbound_token

    with tenant.active():
        url = f"/service/mail/inbound/{inbound_token(address)}/"
    return tenant.client(None).post(url, raw, content_type="message/rfc822")


BAD_MESSAGES = {
    "broken multipart": HEADERS + b"Subject: broken\r\nMessage-ID: <b1@x>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n--never-closed\r\nContent-Type: text/plain\r\n'
    b"\r\nthe only part\r\n--never-cl",
    "NUL bytes": HEADERS + b"Subject: nul\x00here\r\nMessage-ID: <b2@x>\r\n\r\nbody \x00 with NUL\r\n",
    "huge header": HEADERS + b"Subject: " + b"A" * 200_000 + b"\r\nMessage-ID: <b3@x>\r\n\r\nbody\r\n",
    "huge references": HEADERS
    + b"Subject: refs\r\nMessage-ID: <b4@x>\r\nReferences: "
    + b" ".join(b"<r%d@x>" % n for n in range(20_000))
    + b"\r\n\r\nbody\r\n",
    "unknown charset": HEADERS + b"Subject: =?x-unknown?q?Gr=FC=DFe?=\r\nMessage-ID: <b5@x>\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe\r\n",
    "wrong charset": HEADERS + b"Subject: latin\r\nMessage-ID: <b6@x>\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"\r\nGr\xfc\xdfe aus K\xf6ln\r\n",
    "broken base64": HEADERS + b"Subject: b64\r\nMessage-ID: <b7@x>\r\nContent-Type: text/plain\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64***\r\n",
    "no headers at all": b"just some bytes without any header\r\n",
    "binary garbage": bytes(range(256)) * 40,
    "bad sender": b"From: <<<@@@>>>\r\nSubject: who\r\nMessage-ID: <b8@x>\r\n\r\nbody\r\n",
    "bad message id": HEADERS + b"Subject: id\r\nMessage-ID: <" + b"m" * 5000 + b"@x>\r\n\r\nbody\r\n",
}


@pytest.mark.parametrize("name", list(BAD_MESSAGES))
def test_bad_input_never_fails_the_request(alpha: TenantFixture, name: str):
    address = make_address(alpha)

    response = _post(alpha, address, BAD_MESSAGES[name])

    assert response.status_code == 200, response.content
    outcome = response.json()["outcome"]
    assert outcome in ("opened", "rejected")
    with alpha.active():
        inbound = InboundMail.objects.get()
        assert inbound.outcome == outcome
        if outcome == "opened":
            message = CaseMessage.objects.get()
            assert "\x00" not in message.body_text + message.subject
            assert len(message.case.subject) <= 300
        else:
            assert not Case.objects.exists()
            assert not CaseMessage.objects.exists()


def test_the_text_of_an_unknown_charset_is_kept_readable(alpha: TenantFixture):
    address = make_address(alpha)
    _post(alpha, address, BAD_MESSAGES["wrong charset"])
    with alpha.active():
        assert "aus K" in CaseMessage.objects.get().body_text


def test_a_failure_midway_leaves_no_case_and_no_file(alpha: TenantFixture, monkeypatch: Any, settings: Any, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path
    address = make_address(alpha)
    mail = customer_mail()
    mail.add_attachment(b"%PDF-1.4 invoice", maintype="application", subtype="pdf", filename="invoice.pdf")

    def broken_ack(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    with alpha.active():
        address.auto_acknowledge = True
        address.save()
    monkeypatch.setattr(intake, "_acknowledge", broken_ack)

    with alpha.active(), pytest.raises(RuntimeError):
        intake.receive(address, mail.as_bytes())

    with alpha.active():
        assert not Case.objects.exists()
        assert not CaseAttachment.objects.exists()
        assert not InboundMail.objects.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


def test_attachments_are_kept_privately_and_oversized_ones_are_named(alpha: TenantFixture, settings: Any, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path
    settings.SERVICE_MAIL_MAX_ATTACHMENT_BYTES = 1000
    address = make_address(alpha)
    mail = customer_mail()
    mail.add_attachment(b"%PDF-1.4 small", maintype="application", subtype="pdf", filename="../../etc/small.pdf")
    mail.add_attachment(b"x" * 5000, maintype="application", subtype="octet-stream", filename="huge.bin")

    with alpha.active():
        intake.receive(address, mail.as_bytes())
        attachment = CaseAttachment.objects.get()
        message = CaseMessage.objects.get()
    assert attachment.name == "small.pdf"
    assert attachment.size == len(b"%PDF-1.4 small")
    assert attachment.storage_key.startswith("attachments/")
    assert "small" not in attachment.storage_key
    assert (tmp_path / attachment.storage_key).read_bytes() == b"%PDF-1.4 small"
    assert "huge.bin" in message.body_text


def test_html_is_sanitised_and_quoted_history_is_kept_but_marked(alpha: TenantFixture):
    address = make_address(alpha)
    mail = customer_mail(body="New question here.\n\nOn Monday, Help <help@acme-support.example> wrote:\n> old text\n")
    mail.add_alternative('<p onclick="steal()">Hi<script>alert(1)</script></p><img src="https://track.example/x">',
                         subtype="html")  # fmt: skip

    with alpha.active():
        inbound = intake.receive(address, mail.as_bytes())
        message = CaseMessage.objects.get()
    assert "script" not in message.body_html
    assert "onclick" not in message.body_html
    assert "> old text" in message.body_text  # the full text is kept
    assert inbound.quote_start is not None
    assert message.body_text[: inbound.quote_start].strip() == "New question here."
