"""The SMTP server is down when the platform sends its own mail (an invitation, a password
reset): the sending tasks retry, nothing is lost, and each mail arrives once when the server is
back. A real worker sends to a real SMTP server (aiosmtpd) that starts only after the failures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from identity.models import Role, User
from identity.services.invitations import invite_user
from tests import processes
from tests.faults.conftest import FAULT_PREFIX
from tests.mail_server import MailServer
from tests.processes import start_celery_worker, stop, wait_for_idle_worker, wait_until, worker_name
from tests.tenancy import ADMIN_EMAIL, TenantFixture

INVITEE = f"{FAULT_PREFIX}invitee@example.test"


@pytest.mark.worker
def test_platform_mail_is_retried_through_an_smtp_outage_and_arrives_once(
    committed_alpha: TenantFixture, tmp_path: Path
) -> None:
    server = MailServer()  # its port is chosen but closed: connections are refused
    environment = {
        **processes.test_process_environment(tmp_path),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(server.port),
        # Seconds instead of minutes between retries, so the outage lasts a few of them.
        "MAIL_RETRY_BACKOFF_SECONDS": "1",
        "MAIL_RETRY_BACKOFF_MAX_SECONDS": "2",
    }
    log = tmp_path / "worker.log"
    worker = start_celery_worker(environment, log)
    try:
        with committed_alpha.active():
            admin = User.objects.get(email=ADMIN_EMAIL)
            invitation, token = invite_user(
                email=INVITEE, role=Role.objects.get(key="sales_rep"), teams=[], invited_by=admin,
                accept_url_base=f"http://{committed_alpha.host}/invitation",
            )  # fmt: skip
        answer = committed_alpha.client(email=None).post("/password-reset/", {"email": ADMIN_EMAIL})
        assert answer.status_code == 302  # the page does not wait for, nor fail with, the mail

        def retried(task: str) -> int:
            return len(re.findall(rf"{task}\[[^\]]+\] retry: Retry in", log.read_text()))

        wait_until(
            lambda: retried("send_invitation_email") >= 2 and retried("send_password_reset_email") >= 2,
            timeout=60, what="the mails to be retried",
        )  # fmt: skip
        assert server.messages == []

        server.start()
        wait_until(lambda: len(server.messages) >= 2, timeout=60, what="the mails to arrive")
        wait_for_idle_worker(worker_name())
        by_recipient = {str(message["To"]): message for message in server.messages}
        assert len(server.messages) == 2
        assert set(by_recipient) == {INVITEE, ADMIN_EMAIL}
        assert f"/invitation/{token}/" in by_recipient[INVITEE].get_content()
        assert f"http://{committed_alpha.host}/password-reset/" in by_recipient[ADMIN_EMAIL].get_content()
        with committed_alpha.active():
            invitation.refresh_from_db()
            assert invitation.is_open
    finally:
        stop(worker)
        server.stop()
