"""Google accounts, Gmail mailboxes and their sync stay inside the workspace and with their owner:
a role without ``activities.change`` cannot start Google's flow, a sign-in answer is honoured
only in the session (and workspace) that started it, another workspace reaches none of the
mailbox's pages, and a sync task run in another workspace does nothing (and asks Google nothing)."""

from __future__ import annotations

from modules.mailboxes.models import Mailbox
from modules.mailboxes.tasks import sync_mailbox
from modules.oauth_accounts.models import OAuthAccount
from tests.google.conftest import consent, gmail_mailbox
from tests.google_server import GoogleServer
from tests.mailboxes.conftest import message
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, revoke, with_session_of


def test_a_role_without_the_permission_cannot_connect_google(alpha: TenantFixture, google_server: GoogleServer):
    revoke(alpha, "sales_rep", "activities.change")

    answer = alpha.client(REP_EMAIL).post("/settings/connected-accounts/google/connect/", {"purpose": "mailbox"})

    assert answer.status_code == 403
    assert google_server.state.codes == {}
    with alpha.active():
        assert not OAuthAccount.objects.exists()


def test_a_sign_in_answer_is_honoured_only_where_it_was_started(
    alpha: TenantFixture, beta: TenantFixture, google_server: GoogleServer
):
    started = alpha.client(REP_EMAIL).post("/settings/connected-accounts/google/connect/", {"purpose": "mailbox"})
    callback = consent(started["Location"])

    elsewhere = beta.client(REP_EMAIL).get(callback)  # the answer replayed in another workspace's session
    stolen = with_session_of(alpha.client(REP_EMAIL), beta.host).get(callback)

    assert elsewhere.status_code == 400
    assert stolen.status_code == 302
    assert stolen["Location"].startswith("/login/")
    for tenant in (alpha, beta):
        with tenant.active():
            assert not OAuthAccount.objects.exists()
            assert not Mailbox.objects.exists()


def test_another_workspace_reaches_none_of_a_gmail_mailbox(
    alpha: TenantFixture, beta: TenantFixture, google_server: GoogleServer
):
    mailbox = gmail_mailbox(alpha, google_server)
    google_server.deliver(message(sender="ana@acme.example", to=google_server.state.email)[1])
    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/settings/mailboxes/{mailbox.pk}/", {}),
            ("post", f"/settings/mailboxes/{mailbox.pk}/sync/", {}),
            ("post", f"/settings/mailboxes/{mailbox.pk}/disconnect/", {}),
        ],
    )
    calls = len(google_server.state.requests)

    with beta.active():
        assert sync_mailbox(mailbox.pk) == 0

    assert len(google_server.state.requests) == calls
    with alpha.active():
        assert Mailbox.objects.filter(pk=mailbox.pk, oauth_account__isnull=False).exists()
