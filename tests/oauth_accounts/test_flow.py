"""Connecting a Microsoft account: the authorization-code flow with PKCE and ``state`` against the
local identity platform, the tokens kept encrypted, the account's mailbox created; a callback that
this session did not start, a refused consent, a role without the permission and another tenant
all fail and write nothing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from modules.mailboxes.choices import MailboxKind
from modules.mailboxes.models import Mailbox
from modules.oauth_accounts.choices import AccountState
from modules.oauth_accounts.models import OAuthAccount
from tests.oauth_accounts.conftest import connect_through_flow, consent
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture, revoke


def test_connecting_runs_the_code_flow_with_pkce_and_creates_the_mailbox(alpha: TenantFixture, fake_microsoft):
    client = alpha.client(REP_EMAIL)
    page = client.get("/settings/mailboxes/").content.decode()
    started = client.post("/settings/connected-accounts/microsoft/connect/", {"purpose": "mailbox"})
    query = {key: values[0] for key, values in parse_qs(urlsplit(started["Location"]).query).items()}
    answer = client.get(consent(fake_microsoft, started["Location"]))
    with alpha.active():
        account = OAuthAccount.objects.get()
        mailbox = Mailbox.objects.get()
    listed = client.get("/settings/mailboxes/").content.decode()

    assert 'data-testid="connect-microsoft"' in page
    assert started["Location"].startswith(fake_microsoft.settings()["microsoft"]["authorize_url"])
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 32
    assert query["redirect_uri"] == f"http://{alpha.host}/settings/connected-accounts/callback/"
    assert "offline_access" in query["scope"].split()
    assert "Mail.ReadWrite" in query["scope"].split()
    assert answer.status_code == 302
    assert answer["Location"] == "/settings/mailboxes/"
    exchange = fake_microsoft.token_requests[0]
    assert exchange["grant_type"] == "authorization_code"
    assert exchange["code_verifier"]
    assert (account.provider, account.email, account.state) == ("microsoft", fake_microsoft.email, AccountState.ACTIVE)
    assert account.user.email == REP_EMAIL
    assert account.access_token.startswith("fernet:")
    assert account.refresh_token.startswith("fernet:")
    assert not any(token in account.access_token + account.refresh_token for token in fake_microsoft.access_tokens)
    assert "Mail.Send" in account.scopes
    assert (mailbox.kind, mailbox.email, mailbox.oauth_account_id) == (MailboxKind.MICROSOFT, account.email, account.pk)
    assert fake_microsoft.email in listed


def test_connecting_again_mends_the_same_account_and_mailbox(alpha: TenantFixture, fake_microsoft):
    client = alpha.client(REP_EMAIL)
    connect_through_flow(client, fake_microsoft)
    with alpha.active():
        OAuthAccount.objects.update(state=AccountState.REVOKED)
    connect_through_flow(client, fake_microsoft)

    with alpha.active():
        assert OAuthAccount.objects.get().state == AccountState.ACTIVE
        assert Mailbox.objects.count() == 1


def test_a_callback_this_session_did_not_start_is_refused(alpha: TenantFixture, fake_microsoft):
    rep = alpha.client(REP_EMAIL)
    started = rep.post("/settings/connected-accounts/microsoft/connect/", {"purpose": "mailbox"})
    callback = consent(fake_microsoft, started["Location"])
    returned = {key: values[0] for key, values in parse_qs(urlsplit(callback).query).items()}
    code, state = returned["code"], returned["state"]

    other_user = alpha.client(ADMIN_EMAIL).get(callback)
    no_state = rep.get("/settings/connected-accounts/callback/", {"code": code})
    forged = rep.get("/settings/connected-accounts/callback/", {"code": code, "state": "forged"})
    no_code = rep.get("/settings/connected-accounts/callback/", {"state": state})

    assert other_user.status_code == 400
    assert b"state" in other_user.content
    assert no_state.status_code == 400
    assert b"state" in no_state.content
    assert forged.status_code == 400
    assert no_code.status_code == 400
    assert b"code" in no_code.content
    assert all(request["grant_type"] != "authorization_code" for request in fake_microsoft.token_requests)
    with alpha.active():
        assert not OAuthAccount.objects.exists()
        assert not Mailbox.objects.exists()


def test_a_state_is_used_once(alpha: TenantFixture, fake_microsoft):
    client = alpha.client(REP_EMAIL)
    started = client.post("/settings/connected-accounts/microsoft/connect/", {"purpose": "mailbox"})
    callback = consent(fake_microsoft, started["Location"])

    first = client.get(callback)
    replayed = client.get(callback)

    assert first.status_code == 302
    assert replayed.status_code == 400


def test_a_refused_consent_or_code_tells_the_user_and_stores_nothing(alpha: TenantFixture, fake_microsoft):
    client = alpha.client(REP_EMAIL)
    started = client.post("/settings/connected-accounts/microsoft/connect/", {"purpose": "mailbox"})
    state = parse_qs(urlsplit(started["Location"]).query)["state"][0]
    denied = client.get(
        "/settings/connected-accounts/callback/",
        {"state": state, "error": "access_denied", "error_description": "The user declined."},
        follow=True,
    )
    started = client.post("/settings/connected-accounts/microsoft/connect/", {"purpose": "mailbox"})
    state = parse_qs(urlsplit(started["Location"]).query)["state"][0]
    bad_code = client.get("/settings/connected-accounts/callback/", {"state": state, "code": "invented"}, follow=True)

    assert "did not grant access (access_denied)" in denied.content.decode()
    assert "refused the sign-in" in bad_code.content.decode()
    with alpha.active():
        assert not OAuthAccount.objects.exists()
        assert not Mailbox.objects.exists()


def test_bad_input_is_a_4xx_naming_the_field(alpha: TenantFixture, fake_microsoft):
    client = alpha.client(REP_EMAIL)

    no_purpose = client.post("/settings/connected-accounts/microsoft/connect/", {"purpose": "nothing"})
    unknown = client.post("/settings/connected-accounts/nowhere/connect/", {"purpose": "mailbox"})
    huge = client.get("/settings/connected-accounts/callback/", {"state": "s" * 5000, "code": "c"})
    nul = client.get("/settings/connected-accounts/callback/", {"state": "abc\x00", "code": "c\x00"})

    assert no_purpose.status_code == 400
    assert b"purpose" in no_purpose.content
    assert unknown.status_code == 404
    assert huge.status_code == 400
    assert b"state" in huge.content
    assert nul.status_code == 400


def test_a_provider_without_a_client_id_is_not_offered(alpha: TenantFixture, settings):
    settings.OAUTH_PROVIDERS = {"microsoft": {"client_id": ""}}
    client = alpha.client(REP_EMAIL)

    assert b"connect-microsoft" not in client.get("/settings/mailboxes/").content
    assert client.post("/settings/connected-accounts/microsoft/connect/", {"purpose": "mailbox"}).status_code == 404


def test_a_role_without_the_permission_cannot_connect(alpha: TenantFixture, fake_microsoft):
    revoke(alpha, "sales_rep", "activities.change")
    client = alpha.client(REP_EMAIL)

    assert client.post("/settings/connected-accounts/microsoft/connect/", {"purpose": "mailbox"}).status_code == 403
    assert client.get("/settings/connected-accounts/callback/", {"state": "x", "code": "y"}).status_code == 403
    assert fake_microsoft.token_requests == []


def test_a_flow_started_in_one_tenant_completes_in_no_other(alpha: TenantFixture, beta: TenantFixture, fake_microsoft):
    started = alpha.client(ADMIN_EMAIL).post("/settings/connected-accounts/microsoft/connect/", {"purpose": "mailbox"})
    callback = consent(fake_microsoft, started["Location"])

    in_beta = beta.client(ADMIN_EMAIL).get(callback)
    anonymous = beta.client(None).get(callback)

    assert in_beta.status_code == 400
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/")
    assert fake_microsoft.token_requests == []
    for tenant in (alpha, beta):
        with tenant.active():
            assert not OAuthAccount.objects.exists()
