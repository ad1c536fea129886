"""The console's Mailbox: the mail the local SMTP sink of ``make run`` received, sent through a real
SMTP session to the real sink server and read back through the console's pages."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.mail import EmailMultiAlternatives, get_connection
from django.test import Client

from core import mail_catch
from crm_platform.mail_sink.server import controller
from tests.console.test_billing_events import public_url

HOST = "127.0.0.1"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def sink(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """The sink server delivering into a Maildir the console reads, with Django's mail sent to it."""
    directory = tmp_path / "mail-sink"
    port = _free_port()
    server = controller(directory, port)
    server.start()
    settings.MAIL_SINK_DIR = str(directory)
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.EMAIL_HOST, settings.EMAIL_PORT = HOST, port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield directory
    finally:
        server.stop()


def _send(number: int, **extra: Any) -> None:
    message = EmailMultiAlternatives(
        subject=f"Quote {number} for Acme",
        body=f"Plain text of message {number}",
        from_email="sales@alpha.example",
        to=[f"buyer{number}@acme.example"],
        **extra,
    )
    message.send()


def test_every_message_is_listed_and_readable_with_its_bcc_html_and_attachment(sink: Path, operator_client: Client):
    message = EmailMultiAlternatives(
        subject="Your quote Q-0042",
        body="Dear buyer, the quote is attached.",
        from_email="sales@alpha.example",
        to=["buyer@acme.example"],
        bcc=["log@alpha.example"],
    )
    message.attach_alternative('<p onclick="steal()">Dear <b>buyer</b></p><script>alert("x")</script>', "text/html")
    message.attach("quote.pdf", b"%PDF-1.4 quote bytes", "application/pdf")
    message.send()

    listing = operator_client.get(public_url("console:mailbox"))
    [summary] = listing.context["page"].object_list
    page = operator_client.get(public_url("console:mailbox-message", args=[summary.key]))
    detail = page.context["message"]
    [attachment] = detail.attachments
    download = operator_client.get(public_url("console:mailbox-attachment", args=[summary.key, attachment.index]))
    raw = operator_client.get(public_url("console:mailbox-raw", args=[summary.key]))

    assert listing.status_code == 200
    assert "Your quote Q-0042" in listing.content.decode()
    assert page.status_code == 200
    assert summary.recipients == detail.recipients == ["buyer@acme.example", "log@alpha.example"]
    assert "Dear buyer, the quote is attached." in detail.text
    assert "<b>buyer</b>" in detail.html
    shown_html = page.content.decode().split('data-testid="message-html"')[1].split("</div>")[0]
    assert "<script" not in shown_html
    assert "onclick" not in shown_html
    assert (attachment.filename, attachment.content_type) == ("quote.pdf", "application/pdf")
    assert download.status_code == 200
    assert download.content == b"%PDF-1.4 quote bytes"
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"] == 'attachment; filename="quote.pdf"'
    assert b"Subject: Your quote Q-0042" in raw.content


def test_nothing_is_dropped_newest_first_and_the_list_reads_only_its_page(
    sink: Path, operator_client: Client, django_assert_max_num_queries
):
    with get_connection() as connection:
        for number in range(3):
            _send(number, connection=connection)
    with django_assert_max_num_queries(6):
        small = operator_client.get(public_url("console:mailbox"))
    with get_connection() as connection:
        for number in range(3, 60):
            _send(number, connection=connection)
    with django_assert_max_num_queries(6):
        large = operator_client.get(public_url("console:mailbox"))

    assert small.context["page"].paginator.count == 3
    assert large.context["page"].paginator.count == 60
    subjects = [summary.subject for summary in large.context["page"].object_list]
    assert len(subjects) == 50
    assert subjects[0] == "Quote 59 for Acme"
    second = operator_client.get(public_url("console:mailbox"), {"page": 2})
    assert [summary.subject for summary in second.context["page"].object_list][-1] == "Quote 0 for Acme"


def test_a_large_message_and_an_unusual_envelope_are_kept(sink: Path, operator_client: Client, settings: Any):
    big = (b"x" * 998 + b"\r\n") * 34_000  # 34 MB, over aiosmtpd's default 32 MiB limit
    with smtplib.SMTP(HOST, settings.EMAIL_PORT, timeout=30) as client:
        client.sendmail("", ["a@one.example", "b@two.example"], b"Subject: big\r\n\r\n" + big)

    [summary] = operator_client.get(public_url("console:mailbox")).context["page"].object_list
    assert summary.subject == "big"
    assert summary.recipients == ["a@one.example", "b@two.example"]


def test_unknown_messages_and_parts_are_not_found(sink: Path, operator_client: Client):
    _send(1)
    key = operator_client.get(public_url("console:mailbox")).context["page"].object_list[0].key

    for path in (
        public_url("console:mailbox-message", args=["..."]),
        public_url("console:mailbox-message", args=["1.nope.host"]),
        public_url("console:mailbox-raw", args=["1.nope.host"]),
        public_url("console:mailbox-attachment", args=[key, 99]),
        "/console/mailbox/..%2F..%2Fsecret_key/",
    ):
        assert operator_client.get(path).status_code == 404, path


def test_without_a_sink_the_page_says_where_mail_goes(operator_client: Client, settings: Any):
    settings.MAIL_SINK_DIR = ""

    response = operator_client.get(public_url("console:mailbox"))

    assert response.status_code == 200
    assert 'data-testid="no-mail-sink"' in response.content.decode()
    assert operator_client.get(public_url("console:mailbox-message", args=["1.a.b"])).status_code == 404


def test_catching_replaces_any_server_with_the_platforms_connection(settings: Any):
    settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT = SMTP_BACKEND, HOST, 2525

    settings.EMAIL_CATCH_ALL = False
    direct = mail_catch.connection(SMTP_BACKEND, host="smtp.customer.example", port=587)
    settings.EMAIL_CATCH_ALL = True
    caught = mail_catch.connection(SMTP_BACKEND, host="smtp.customer.example", port=587)
    service = mail_catch.connection("anymail.backends.postmark.EmailBackend", server_token="secret")

    assert (direct.host, direct.port) == ("smtp.customer.example", 587)
    assert (caught.host, caught.port) == (HOST, 2525)
    assert (service.host, service.port) == (HOST, 2525)
