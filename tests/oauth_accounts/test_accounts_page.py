"""Settings → Connected accounts: a failing or revoked account is shown with the provider's error
and a "Reconnect" button for what it serves, which runs the connect flow again and mends it; the
page shows only the user's own accounts, needs ``activities.change``, and means nothing on another
workspace's host."""

from __future__ import annotations

import pytest
from django.utils import timezone

from modules.oauth_accounts.choices import AccountState
from modules.oauth_accounts.models import OAuthAccount
from modules.oauth_accounts.services.tokens import OAuthError, get_access_token
from tests.oauth_accounts.conftest import connect_through_flow, consent
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture, revoke, with_session_of

PAGE = "/settings/connected-accounts/"


def test_a_failing_account_shows_its_error_and_reconnecting_mends_it(alpha: TenantFixture, fake_microsoft, settings):
    client = alpha.client(REP_EMAIL)
    connect_through_flow(client, fake_microsoft)
    working = fake_microsoft.settings()
    settings.OAUTH_PROVIDERS = {"microsoft": {**working["microsoft"], "token_url": "http://127.0.0.1:9/token"}}
    with alpha.active():
        account = OAuthAccount.objects.get()
        OAuthAccount.objects.filter(pk=account.pk).update(expires_at=timezone.now())
        account.refresh_from_db()
        with pytest.raises(OAuthError):
            get_access_token(account)
        failing = OAuthAccount.objects.get(pk=account.pk)
    settings.OAUTH_PROVIDERS = working

    page = client.get(PAGE).content.decode()
    started = client.post(f"/settings/connected-accounts/{failing.provider}/connect/", {"purpose": "mailbox"})
    back = client.get(consent(fake_microsoft, started["Location"]))
    after = client.get(PAGE).content.decode()
    with alpha.active():
        mended = OAuthAccount.objects.get()

    assert failing.state == AccountState.FAILING
    assert failing.last_error
    assert 'data-testid="account-broken"' in page
    assert failing.last_error.replace("'", "&#x27;") in page
    assert 'data-testid="reconnect-mailbox"' in page
    assert 'data-testid="reconnect-calendar"' not in page  # the account serves no calendar
    assert back.status_code == 302
    assert (mended.pk, mended.state) == (account.pk, AccountState.ACTIVE)
    assert 'data-testid="account-broken"' not in after
    assert 'data-testid="reconnect-mailbox"' not in after
    assert fake_microsoft.email in after


def test_a_revoked_account_is_shown_and_the_notification_opens_the_page(alpha: TenantFixture, fake_microsoft):
    from modules.activities.models import Notification
    from modules.oauth_accounts.services.accounts import mark_revoked

    client = alpha.client(REP_EMAIL)
    connect_through_flow(client, fake_microsoft)
    with alpha.active():
        mark_revoked(OAuthAccount.objects.get(), "invalid_grant: AADSTS700082")
        notification = Notification.objects.get(entity="oauth_account")

    page = client.get(PAGE).content.decode()

    assert "was withdrawn" in page
    assert "AADSTS700082" in page
    assert 'data-testid="reconnect-mailbox"' in page
    assert notification.target_url == PAGE


def test_only_the_users_own_accounts_and_only_with_the_permission(
    alpha: TenantFixture, beta: TenantFixture, fake_microsoft
):
    connect_through_flow(alpha.client(REP_EMAIL), fake_microsoft)

    colleague = alpha.client(ADMIN_EMAIL).get(PAGE)
    other_workspace = beta.client().get(PAGE)
    stolen = with_session_of(alpha.client(REP_EMAIL), beta.host).get(PAGE)
    revoke(alpha, "sales_rep", "activities.change")
    without_permission = alpha.client(REP_EMAIL).get(PAGE)

    assert colleague.status_code == 200
    assert fake_microsoft.email not in colleague.content.decode()
    assert other_workspace.status_code == 200
    assert fake_microsoft.email not in other_workspace.content.decode()
    assert stolen.status_code == 302
    assert stolen["Location"].startswith("/login/")
    assert without_permission.status_code == 403
