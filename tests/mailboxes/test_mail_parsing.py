"""``core.mail.parsing`` reads what the sync and the support intake keep from raw mail: headers
decoded where they are read (RFC 2047 encoded words, folding, 8-bit bytes), address lists split
before decoding, attachment names in either encoding, and an attachment over the limit named but
not kept."""

from __future__ import annotations

import base64
import email
import email.policy

from core.mail.parsing import parse_mail

LIMIT = 1024


def _parse(raw: bytes):
    return parse_mail(raw, max_attachment=LIMIT)


def test_encoded_words_and_folding_are_decoded_where_they_are_read():
    raw = (
        b"From: =?utf-8?q?M=C3=BCller=2C_Hans?= <Hans@Example.DE>\r\n"
        b'To: "Doe, John" <j@y.example>, =?utf-8?b?w4VzYQ==?= <asa@z.example>\r\n'
        b"Cc: undisclosed-recipients:;\r\n"
        b"Subject: =?iso-8859-1?q?Gr=FC=DFe?= aus\r\n =?utf-8?b?QmVybGlu?=\r\n"
        b"Message-ID: <one@example>\r\n"
        b"References: <a@example>\r\n\t<b@example>\r\n"
        b"In-Reply-To: <b@example>\r\n"
        b"\r\n"
        b"Hello\r\n"
    )

    mail = _parse(raw)

    assert (mail.from_address, mail.from_name) == ("hans@example.de", "Müller, Hans")
    assert mail.to == ["j@y.example", "asa@z.example"]
    assert mail.cc == []
    assert mail.subject == "Grüße aus Berlin"
    assert (mail.message_id, mail.references, mail.in_reply_to) == ("<one@example>", ["<a@example>", "<b@example>"],
                                                                    ["<b@example>"])  # fmt: skip
    assert mail.text.strip() == "Hello"


def test_raw_8bit_headers_are_read_as_utf8_else_windows_1252():
    utf8 = "From: Jörg <j@x.example>\r\nSubject: Grüße\r\n\r\nx".encode()
    latin = "From: Jörg <j@x.example>\r\nSubject: Grüße\r\n\r\nx".encode("cp1252")

    assert (_parse(utf8).from_name, _parse(utf8).subject) == ("Jörg", "Grüße")
    assert (_parse(latin).from_name, _parse(latin).subject) == ("Jörg", "Grüße")


def test_bodies_attachments_and_the_size_limit():
    big = base64.encodebytes(b"x" * (LIMIT * 3)).decode()
    raw = (
        "From: a@b.example\r\nSubject: files\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
        "--XX\r\nContent-Type: text/plain; charset=no-such-charset\r\n\r\nbody text\r\n"
        "--XX\r\nContent-Type: text/html; charset=windows-1252\r\n\r\n<p>€ five</p>\r\n"
        "--XX\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
        "filename*=UTF-8''%C3%A4rger.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n"
        '--XX\r\nContent-Type: application/pdf; name="=?utf-8?q?r=C3=A9sum=C3=A9.pdf?="\r\n'
        "Content-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n"
        '--XX\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename="big.zip"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{big}\r\n"
        "--XX--\r\n"
    ).encode("cp1252")

    mail = _parse(raw)

    assert mail.text.strip() == "body text"
    assert mail.html.strip() == "<p>€ five</p>"
    assert [(a.name, a.content_type, a.content) for a in mail.attachments] == [
        ("ärger.pdf", "application/pdf", b"hello"),
        ("résumé.pdf", "application/pdf", b"hello"),
    ]
    assert mail.oversized_attachments == ["big.zip"]


def test_a_sender_without_a_domain_and_mail_without_headers_are_read():
    daemon = _parse(b"From: MAILER-DAEMON\r\nSubject: Undelivered\r\n\r\nsorry")
    bare = _parse(b"no headers at all")

    assert daemon.from_address == "mailer-daemon"
    assert bare.from_address == ""
    assert bare.message_id.endswith("@no-message-id.invalid>")


def test_a_forwarded_message_is_kept_as_an_eml_file_not_merged_into_the_body():
    raw = (
        "From: rita@alpha.example\r\nSubject: Fwd: the offer\r\nContent-Type: multipart/mixed; boundary=FW\r\n\r\n"
        "--FW\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n"
        "--FW\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n"
        "From: ana@acme.example\r\nSubject: =?utf-8?q?The_offer/v2_=E2=82=AC?=\r\nMessage-ID: <inner@acme.example>\r\n"
        "Content-Type: multipart/mixed; boundary=IN\r\n\r\n"
        "--IN\r\nContent-Type: text/plain\r\n\r\nFrom the start: the price.\r\n"
        '--IN\r\nContent-Type: application/pdf; name="offer.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        "aGVsbG8=\r\n--IN--\r\n"
        "--FW\r\nContent-Type: message/rfc822\r\n\r\nSubject: \r\n\r\n" + "y" * LIMIT + "\r\n"
        "--FW--\r\n"
    ).encode()

    mail = _parse(raw)
    unlimited = parse_mail(raw, max_attachment=0)

    assert mail.text.strip() == "See below."
    assert [(a.name, a.content_type) for a in mail.attachments] == [("The offer v2 €.eml", "message/rfc822")]
    kept = email.message_from_bytes(mail.attachments[0].content, policy=email.policy.default)
    assert kept["Message-ID"] == "<inner@acme.example>"
    body = kept.get_body(("plain",))
    assert body is not None
    assert "From the start: the price." in body.get_content()
    assert [part.get_filename() for part in kept.iter_attachments()] == ["offer.pdf"]
    assert mail.oversized_attachments == ["forwarded-message-6.eml"]
    assert (unlimited.text.strip(), unlimited.attachments) == ("See below.", [])
