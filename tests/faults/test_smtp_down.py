"""The SMTP server is down when the platform sends its own mail (an invitation, a password
reset): the sending tasks retry, nothing is lost, and each mail arrives once when the server is
back. A real worker sends to a real SMTP server (aiosmtpd), stopped until after the failures."""

from __future__ import annotations

import re

import pytest

from identity.models import Role, User
from identity.services.invitations import invite_user
from tests.faults.conftest import FAULT_PREFIX, StandbyWorker
from tests.processes import wait_for_idle_worker, wait_until
from tests.tenancy import ADMIN_EMAIL, TenantFixture

INVITEE = f"{FAULT_PREFIX}invitee@example.test"


@pytest.mark.worker
def test_platform_mail_is_retried_through_an_smtp_outage_and_arrives_once(
    committed_alpha: TenantFixture, standby_worker: StandbyWorker
) -> None:
    server = standby_worker.mail
    server.stop()  # its port stays chosen but closed: connections are refused
    standby_worker.take_over()
    with committed_alpha.active():
        admin = User.objects.get(email=ADMIN_EMAIL)
        invitation, token = invite_user(
            email=INVITEE, role=Role.objects.get(key="sales_rep"), teams=[], invited_by=admin,
            accept_url_base=f"http://{committed_alpha.host}/invitation",
        )  # fmt: skip
    answer = committed_alpha.client(email=None).post("/password-reset/", {"email": ADMIN_EMAIL})
    assert answer.status_code == 302  # the page does not wait for, nor fail with, the mail

    def retried(task: str) -> int:
        return len(re.findall(rf"{task}\[[^\]]+\] retry: Retry in", standby_worker.log_text()))

    wait_until(
        lambda: retried("send_invitation_email") >= 2 and retried("send_password_reset_email") >= 2,
        timeout=60, what="the mails to be retried",
    )  # fmt: skip
    assert server.messages == []

    server.start()
    wait_until(lambda: len(server.messages) >= 2, timeout=60, what="the mails to arrive")
    wait_for_idle_worker(standby_worker.name)
    by_recipient = {str(message["To"]): message for message in server.messages}
    assert len(server.messages) == 2
    assert set(by_recipient) == {INVITEE, ADMIN_EMAIL}
    assert f"/invitation/{token}/" in by_recipient[INVITEE].get_content()
    assert f"http://{committed_alpha.host}/password-reset/" in by_recipient[ADMIN_EMAIL].get_content()
    with committed_alpha.active():
        invitation.refresh_from_db()
        assert invitation.is_open
