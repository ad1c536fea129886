"""The telephony settings page: service.admin only, the token encrypted at rest and never shown,
numbers normalised, bad input answered naming the field, the plan gate."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from identity.services.accounts import ensure_user
from identity.services.api_keys import create_api_key
from modules.service.contact_centre.models import AgentPhone, TelephonySettings
from tests.entitlements.helpers import without_modules
from tests.tenancy import REP_EMAIL, TenantFixture, grant

URL = "/contact-centre/settings/"
VALID = {
    "account_sid": "AC123",
    "auth_token": "s3cret-token",
    "numbers": "+49 30 1234567\n+4930 1234567",
    "sms_events": ["case_solved"],
}


def test_an_admin_saves_the_account_with_the_token_encrypted(alpha: TenantFixture):
    client = alpha.client()
    assert client.get(URL).status_code == 200
    response = client.post(URL, VALID)
    assert response.status_code == 302
    with alpha.active():
        row = TelephonySettings.objects.get()
        assert (row.account_sid, row.numbers, row.sms_events) == ("AC123", ["+49301234567"], ["case_solved"])
        assert "s3cret-token" not in row.auth_token_encrypted
        assert row.auth_token == "s3cret-token"
    page = client.get(URL).content.decode()
    assert "s3cret-token" not in page
    client.post(URL, {**VALID, "auth_token": ""})  # an empty token keeps the stored one
    with alpha.active():
        assert TelephonySettings.objects.get().auth_token == "s3cret-token"


def test_bad_input_names_the_field_and_saves_nothing(alpha: TenantFixture):
    client = alpha.client()
    for data, field in (
        ({**VALID, "numbers": "call me maybe"}, "numbers"),
        ({**VALID, "sms_events": ["sometimes"]}, "sms_events"),
        ({**VALID, "account_sid": "x" * 65}, "account_sid"),
    ):
        response = client.post(URL, data)
        assert response.status_code == 400
        assert field in response.context["form"].errors
    with alpha.active():
        assert not TelephonySettings.objects.exists()


def test_agent_phones_are_set_by_an_admin(alpha: TenantFixture):
    client = alpha.client()
    rep = alpha.user(REP_EMAIL)
    url = reverse("contact-centre:agent-phone")
    assert client.post(url, {"user": rep.pk, "number": "+49 170 1234567"}).status_code == 302
    bad = client.post(url, {"user": rep.pk, "number": "nope"})
    assert bad.status_code == 400
    assert "number" in bad.content.decode()
    with alpha.active():
        assert AgentPhone.objects.get(user=rep).number == "+491701234567"
    assert client.post(url, {"user": rep.pk, "number": ""}).status_code == 302
    with alpha.active():
        assert not AgentPhone.objects.exists()


def test_only_service_admins_of_this_workspace_in_plan(alpha: TenantFixture, beta: TenantFixture):
    rep = alpha.client(REP_EMAIL)
    grant(alpha, "sales_rep", "service.view", "service.change")
    assert rep.get(URL).status_code == 403
    assert rep.post(URL, VALID).status_code == 403
    assert rep.post(reverse("contact-centre:agent-phone"), {"user": 1, "number": "+491701234567"}).status_code == 403
    with alpha.active():
        alpha_user = alpha.user(REP_EMAIL).pk
    beta_post = beta.client().post(
        reverse("contact-centre:agent-phone"), {"user": alpha_user + 100_000, "number": "+491701"}
    )
    assert beta_post.status_code in (400, 404)
    connection.set_schema_to_public()  # the request to beta's host left its schema set
    without_modules(alpha, "service")
    gated = alpha.client().get(URL)
    assert gated.status_code == 403
    assert "errors/not_in_plan.html" in [template.name for template in gated.templates]
    with alpha.active():
        assert not TelephonySettings.objects.exists()
        assert not AgentPhone.objects.exists()


def _settings_queries(alpha: TenantFixture, extra_users: int) -> int:

    with alpha.active():
        for number in range(extra_users):
            user = ensure_user(email=f"agent{extra_users}-{number}@example.test", role=alpha.user(REP_EMAIL).role)
            AgentPhone.objects.create(user=user, number=f"+4917012345{number:02d}")
    client = alpha.client()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_settings_page_costs_the_same_queries_for_few_and_many_agents(alpha: TenantFixture):
    assert _settings_queries(alpha, 2) == _settings_queries(alpha, 12)


def test_an_api_key_does_not_open_the_staff_pages(alpha: TenantFixture):
    with alpha.active():
        _key, plaintext = create_api_key(user=alpha.user(), name="Pages", scopes=["contacts:read"])
    client = alpha.client(None, HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    answers = [
        client.get(URL).status_code,
        client.post(reverse("contact-centre:dial"), {"number": "+491701"}).status_code,
    ]
    assert all(status in (302, 401, 403) for status in answers)
    with alpha.active():
        assert not TelephonySettings.objects.exists()
