"""``make run``'s runtime starts the mail sink and points the platform's mail at it; a developer's
own EMAIL_BACKEND is left alone."""

from __future__ import annotations

import mailbox
import smtplib
from pathlib import Path

from crm_platform import runtime


def test_the_runtime_starts_the_sink_and_points_mail_at_it(tmp_path: Path):
    environment: dict[str, str] = {}
    process = runtime.start_mail_sink(tmp_path, environment)
    assert process is not None
    try:
        with smtplib.SMTP(environment["EMAIL_HOST"], int(environment["EMAIL_PORT"]), timeout=10) as client:
            client.sendmail("app@relata.example", ["someone@customer.example"], b"Subject: hello\r\n\r\nbody\r\n")
        delivered = list(mailbox.Maildir(environment["MAIL_SINK_DIR"], create=False))
    finally:
        process.terminate()
        process.wait(timeout=10)

    assert process.returncode == 0
    assert environment["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert environment["EMAIL_CATCH_ALL"] == "on"
    assert Path(environment["MAIL_SINK_DIR"]) == tmp_path / "mail-sink"
    [message] = delivered
    assert message["Subject"] == "hello"
    assert message["Delivered-To"] == "someone@customer.example"


def test_a_chosen_email_backend_gets_no_sink(tmp_path: Path):
    environment = {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}

    assert runtime.start_mail_sink(tmp_path, environment) is None
    assert environment == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
