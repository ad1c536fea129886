"""The bytes the engine hands to an SMTP server (``mime.py``) say what Django's own message says:
the same headers in the same order with the same values, the same parts with the same content,
charset and transfer encoding, the same envelope — for non-ASCII names and addresses, a long
subject, a sender's name with accents, a Reply-To and a body with lines too long for 8bit."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from django.core.mail.message import sanitize_address

from modules.marketing.delivery.models import Recipient
from modules.marketing.delivery.services.messages import MessageBuilder
from modules.marketing.delivery.services.sends import start_send
from tests.marketing.delivery.conftest import CONTENT, audience, marketing_email, unlimited_rate
from tests.tenancy import TenantFixture

LONG_SUBJECT = "News for {{ contact.first_name }}: " + " ".join(["everything that is new this season"] * 4)
LONG_LINE = "<p>" + "A paragraph with no line break at all, " * 40 + "{{ contact.first_name }}.</p>"


def _headers(message: EmailMessage) -> list[tuple[str, str]]:
    """Every header but the two that differ by nature: the Date (the second it was written) and the
    multipart boundary (random). Values without the folding white space before them (Django's
    encoded subject starts with some)."""
    return [
        (name, str(value).strip() if name != "Content-Type" else value.split(";")[0])
        for name, value in message.items()
        if name != "Date"
    ]


def _parts(message: EmailMessage) -> list[tuple[str, str, str, str]]:
    return [
        (part.get_content_type(), str(part.get_content_charset()), str(part["Content-Transfer-Encoding"]),
         part.get_content())
        for part in message.iter_parts()
    ]  # fmt: skip


def _compare(builder: MessageBuilder, row: Recipient) -> dict[str, Any]:
    content = builder.content(row)
    expected = builder.email_message(row, content, connection=None).message().as_bytes(linesep="\r\n")
    sender, to, data = builder.raw_message(row, content)
    ours = message_from_bytes(data, policy=policy.default)
    django = message_from_bytes(expected, policy=policy.default)
    assert b"\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert not ours.defects
    assert not django.defects
    assert _headers(ours) == _headers(django)
    assert ours["Date"].datetime is not None
    assert ours.get_content_type() == "multipart/alternative"
    assert _parts(ours) == _parts(django)
    assert sender == sanitize_address(builder.sender, "utf-8")
    assert to == sanitize_address(row.address, "utf-8")
    return {"headers": dict(_headers(ours)), "parts": _parts(ours)}


def test_the_smtp_bytes_say_what_djangos_message_says(alpha: TenantFixture) -> None:
    with alpha.active():
        unlimited_rate()
        segment, contacts = audience(2)
        contacts[0].first_name = "Zoë"
        contacts[0].save(update_fields=["first_name"])
        email = marketing_email(
            segment, subject=LONG_SUBJECT, from_name="Équipe Alpha", reply_to="replies@alpha.example",
            content=[*CONTENT, {"type": "text", "html": LONG_LINE}],
        )  # fmt: skip
        start_send(email, by=None)
        rows = list(Recipient.objects.filter(email=email).select_related("contact").order_by("address"))
        builder = MessageBuilder(email)

        accented = _compare(builder, next(row for row in rows if row.contact.first_name == "Zoë"))
        plain = next(row for row in rows if row.contact.first_name != "Zoë")
        plain.address = "reader@bücher.example"  # an internationalised domain, as the row could hold
        idn = _compare(builder, plain)

    assert accented["headers"]["Subject"].startswith("News for Zoë: everything")
    assert accented["headers"]["From"].startswith("Équipe Alpha <")
    assert accented["headers"]["Reply-To"] == "replies@alpha.example"
    assert idn["headers"]["To"] == "reader@xn--bcher-kva.example"
    # The long line made both parts quoted-printable (as Django chooses), the rest 7bit or 8bit.
    encodings = {kind: encoding for kind, _charset, encoding, _body in accented["parts"]}
    assert encodings["text/html"] == "quoted-printable"
    assert "Zoë." in accented["parts"][1][3]


def test_an_e_mail_with_accents_and_short_text_lines_goes_8bit_like_djangos(alpha: TenantFixture) -> None:
    with alpha.active():
        unlimited_rate()
        segment, contacts = audience(1)
        contacts[0].first_name = "Zoë"
        contacts[0].save(update_fields=["first_name"])
        email = marketing_email(segment)
        start_send(email, by=None)
        row = Recipient.objects.select_related("contact").get(email=email)

        compared = _compare(MessageBuilder(email), row)

    encodings = {kind: encoding for kind, _charset, encoding, _body in compared["parts"]}
    # The text part's lines are short: 8bit, as Django writes it (its HTML, compiled by MJML, has
    # longer lines and goes quoted-printable either way).
    assert encodings["text/plain"] == "8bit"
    assert "Hello Zoë" in compared["parts"][0][3]
    assert compared["headers"]["Subject"] == "News for Zoë"
