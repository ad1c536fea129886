"""Access tokens of a connected account: refreshed a little before they expire (the rotated
refresh token kept encrypted), never refreshed twice for one expiry, and a refresh refused with
``invalid_grant`` turns the account to revoked, tells its user once and stops every caller."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.encryption import decrypt
from modules.activities.models import Notification
from modules.mailboxes.models import Mailbox
from modules.oauth_accounts.choices import AccountState
from modules.oauth_accounts.models import OAuthAccount
from modules.oauth_accounts.services.tokens import AccountRevoked, OAuthError, get_access_token, refresh_access_token
from tests.msgraph_server import FakeMicrosoft
from tests.oauth_accounts.conftest import connect_through_flow
from tests.tenancy import REP_EMAIL, TenantFixture


def _connected(alpha: TenantFixture, fake: FakeMicrosoft) -> OAuthAccount:
    connect_through_flow(alpha.client(REP_EMAIL), fake)
    with alpha.active():
        return OAuthAccount.objects.select_related("user").get()


def test_a_fresh_token_is_used_as_it_is(alpha: TenantFixture, fake_microsoft):
    account = _connected(alpha, fake_microsoft)
    with alpha.active():
        token = get_access_token(account)

    assert token in fake_microsoft.access_tokens
    assert [r["grant_type"] for r in fake_microsoft.token_requests] == ["authorization_code"]


def test_a_token_about_to_expire_is_refreshed_and_the_rotated_refresh_token_kept(alpha, fake_microsoft):
    account = _connected(alpha, fake_microsoft)
    with alpha.active():
        OAuthAccount.objects.filter(pk=account.pk).update(expires_at=timezone.now() + timedelta(minutes=2))
        account.refresh_from_db()
        old_refresh = decrypt(account.refresh_token)
        token = get_access_token(account)
        stored = OAuthAccount.objects.get(pk=account.pk)

    assert fake_microsoft.token_requests[-1] == {
        "grant_type": "refresh_token", "refresh_token": old_refresh, "client_id": "relata-test-client",
        "client_secret": "relata-test-secret",
    }  # fmt: skip
    assert token in fake_microsoft.access_tokens
    assert decrypt(stored.access_token) == token
    assert decrypt(stored.refresh_token) in fake_microsoft.refresh_tokens
    assert old_refresh not in fake_microsoft.refresh_tokens
    assert stored.expires_at > timezone.now() + timedelta(minutes=50)


def test_a_token_refreshed_meanwhile_by_another_worker_is_not_refreshed_again(alpha, fake_microsoft):
    """Both workers read the account while its token was expiring; the second one to take the row
    lock finds the first one's token and spends no refresh token (a rotated one would be refused)."""
    account = _connected(alpha, fake_microsoft)
    with alpha.active():
        OAuthAccount.objects.filter(pk=account.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        first_worker = OAuthAccount.objects.get(pk=account.pk)
        second_worker = OAuthAccount.objects.get(pk=account.pk)
        stale = decrypt(first_worker.access_token)
        first = get_access_token(first_worker)
        second = get_access_token(second_worker)
        after_401 = refresh_access_token(second_worker, rejected=stale)

    assert first == second == after_401
    assert [r["grant_type"] for r in fake_microsoft.token_requests] == ["authorization_code", "refresh_token"]


def test_a_token_the_api_rejected_is_refreshed_even_before_its_expiry(alpha, fake_microsoft):
    account = _connected(alpha, fake_microsoft)
    with alpha.active():
        rejected = get_access_token(account)
        fresh = refresh_access_token(account, rejected=rejected)

    assert fresh != rejected
    assert fresh in fake_microsoft.access_tokens


def test_invalid_grant_revokes_the_account_tells_the_user_once_and_stops_every_caller(alpha, fake_microsoft):
    account = _connected(alpha, fake_microsoft)
    fake_microsoft.revoke()
    with alpha.active():
        rejected = decrypt(account.access_token)
        with pytest.raises(AccountRevoked):
            refresh_access_token(account, rejected=rejected)
        with pytest.raises(AccountRevoked):
            get_access_token(account)
        stored = OAuthAccount.objects.get(pk=account.pk)
        notifications = list(Notification.objects.filter(entity="oauth_account", record_id=account.pk))
        mailbox = Mailbox.objects.get()
    page = alpha.client(REP_EMAIL).get("/settings/mailboxes/").content.decode()

    assert stored.state == AccountState.REVOKED
    assert stored.access_token == ""
    assert "AADSTS700082" in stored.last_error
    assert [n.recipient.email for n in notifications] == [REP_EMAIL]
    assert fake_microsoft.email in notifications[0].title
    assert len([r for r in fake_microsoft.token_requests if r["grant_type"] == "refresh_token"]) == 1
    assert mailbox.oauth_account_id == account.pk
    assert 'data-testid="account-revoked"' in page


def test_an_unreachable_provider_is_a_failure_not_a_revocation(alpha, fake_microsoft, settings):
    account = _connected(alpha, fake_microsoft)
    settings.OAUTH_PROVIDERS = {
        "microsoft": {**fake_microsoft.settings()["microsoft"], "token_url": "http://127.0.0.1:9/token"}
    }
    with alpha.active():
        OAuthAccount.objects.filter(pk=account.pk).update(expires_at=timezone.now())
        account.refresh_from_db()
        with pytest.raises(OAuthError) as raised:
            get_access_token(account)
        stored = OAuthAccount.objects.get(pk=account.pk)

    assert not isinstance(raised.value, AccountRevoked)
    assert stored.state == AccountState.FAILING
    assert stored.refresh_token


def test_disconnecting_the_mailbox_forgets_the_account(alpha: TenantFixture, fake_microsoft):
    account = _connected(alpha, fake_microsoft)
    with alpha.active():
        mailbox = Mailbox.objects.get()
    answer = alpha.client(REP_EMAIL).post(f"/settings/mailboxes/{mailbox.pk}/disconnect/")

    assert answer.status_code == 302
    with alpha.active():
        assert not OAuthAccount.objects.filter(pk=account.pk).exists()
        assert not Mailbox.objects.exists()
