"""One redirect URI for every workspace: with OAUTH_CALLBACK_HOST set, the provider sends the
user back to the public host, which relays the answer to the workspace that started the flow; a
forged, altered or foreign state goes nowhere."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.test import Client

from modules.oauth_accounts.choices import AccountState
from modules.oauth_accounts.models import OAuthAccount
from modules.oauth_accounts.relay import SALT
from tests.oauth_accounts.conftest import consent
from tests.tenancy import REP_EMAIL, TenantFixture


@pytest.fixture
def relayed(settings) -> None:  # type: ignore[no-untyped-def]
    settings.OAUTH_CALLBACK_HOST = "localhost"


def test_the_public_host_relays_the_answer_to_the_workspace_that_started_it(
    alpha: TenantFixture, public_client: Client, fake_microsoft, relayed: None
):
    client = alpha.client(REP_EMAIL)
    started = client.post("/settings/connected-accounts/microsoft/connect/", {"purpose": "mailbox"})
    query = {key: values[0] for key, values in parse_qs(urlsplit(started["Location"]).query).items()}
    answer = consent(fake_microsoft, started["Location"])
    relayed_answer = public_client.get(answer)
    onward = urlsplit(relayed_answer["Location"])
    finished = client.get(f"{onward.path}?{onward.query}")

    assert query["redirect_uri"] == "http://localhost/oauth/callback/"
    assert answer.startswith("/oauth/callback/?")
    assert relayed_answer.status_code == 302
    assert (onward.scheme, onward.netloc, onward.path) == ("http", alpha.host, "/settings/connected-accounts/callback/")
    assert parse_qs(onward.query)["state"] == [query["state"]]
    assert finished.status_code == 302
    assert finished["Location"] == "/settings/mailboxes/"
    assert fake_microsoft.token_requests[0]["redirect_uri"] == "http://localhost/oauth/callback/"
    with alpha.active():
        assert OAuthAccount.objects.get().state == AccountState.ACTIVE


def test_a_forged_altered_or_foreign_state_is_refused_by_the_relay(
    alpha: TenantFixture, public_client: Client, relayed: None
):
    genuine = signing.dumps({"host": alpha.host, "nonce": "n"}, salt=SALT)
    unknown_host = signing.dumps({"host": "evil.example", "nonce": "n"}, salt=SALT)
    other_salt = signing.dumps({"host": alpha.host, "nonce": "n"}, salt="something else")

    answers = [
        public_client.get("/oauth/callback/", {"code": "c"}),
        public_client.get("/oauth/callback/", {"code": "c", "state": "forged"}),
        public_client.get("/oauth/callback/", {"code": "c", "state": genuine[:-2] + "xx"}),
        public_client.get("/oauth/callback/", {"code": "c", "state": unknown_host}),
        public_client.get("/oauth/callback/", {"code": "c", "state": other_salt}),
        public_client.get("/oauth/callback/", {"code": "c", "state": "s\x00" + "x" * 5000}),
    ]

    assert [answer.status_code for answer in answers] == [400] * 6
    assert all(answer.content.startswith(b"state:") for answer in answers)
    assert public_client.get("/oauth/callback/", {"code": "c", "state": genuine}).status_code == 302


def test_a_relayed_answer_still_needs_the_session_that_started_it(
    alpha: TenantFixture, public_client: Client, fake_microsoft, relayed: None
):
    started = alpha.client(REP_EMAIL).post("/settings/connected-accounts/microsoft/connect/", {"purpose": "mailbox"})
    onward = urlsplit(public_client.get(consent(fake_microsoft, started["Location"]))["Location"])

    another_session = alpha.client(REP_EMAIL).get(f"{onward.path}?{onward.query}")

    assert another_session.status_code == 400
    with alpha.active():
        assert not OAuthAccount.objects.exists()
