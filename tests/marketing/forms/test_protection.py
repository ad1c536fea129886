"""What keeps robots and other sites out: honeypot, minimum fill time, rate limits, CORS for the
allowed origins only, the optional proof-of-work captcha, and another tenant's or a disabled
module's form answering 404 with nothing recorded."""

from __future__ import annotations

import base64
import json

import pytest
import time_machine
from altcha.v1 import hash_hex

from customization.events.models import DomainEvent
from modules.marketing.webforms import protection
from modules.marketing.webforms.captcha import CAPTCHA_FIELD
from modules.marketing.webforms.models import Submission, WebForm
from modules.sales.models import Lead
from tenants.models import Tenant
from tests.marketing.forms.conftest import ALLOWED, filled, make_form, post_json
from tests.tenancy import TenantFixture, schema_snapshot

pytestmark = pytest.mark.django_db


def _nothing_but_spam(tenant: TenantFixture) -> None:
    with tenant.active():
        assert not Lead.objects.exists()
        assert not DomainEvent.objects.filter(type="form.submitted").exists()
        assert list(Submission.objects.values_list("status", flat=True)) == ["spam"]


def test_a_filled_honeypot_is_answered_like_a_success_and_kept_as_spam(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
    response = post_json(alpha.client(None), form, filled(alpha, form, **{protection.HONEYPOT: "http://spam.test"}))
    assert (response.status_code, response.json()["ok"]) == (200, True)
    _nothing_but_spam(alpha)


def test_a_form_sent_faster_than_a_person_types_is_spam(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
        fresh = protection.render_token(form)
    assert post_json(alpha.client(None), form, filled(alpha, form, **{protection.TOKEN: fresh})).status_code == 200
    _nothing_but_spam(alpha)


@pytest.mark.parametrize("token", ["", "forged:token", None])
def test_a_missing_or_forged_render_token_is_spam(alpha: TenantFixture, token: str | None) -> None:
    with alpha.active():
        form = make_form()
    data = filled(alpha, form, **{protection.TOKEN: token})
    assert post_json(alpha.client(None), form, data).status_code == 200
    _nothing_but_spam(alpha)


def test_another_tenants_render_token_is_spam(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
    with beta.active():
        twin = make_form()  # same key, same id: only the tenant in the salt tells them apart
        WebForm.objects.filter(pk=twin.pk).update(id=form.pk)
        twin.pk = form.pk
    data = filled(beta, twin)
    assert post_json(alpha.client(None), form, data).status_code == 200
    _nothing_but_spam(alpha)


def test_a_render_token_expires(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
        with time_machine.travel(0, tick=False):
            ancient = protection.render_token(form)
    assert post_json(alpha.client(None), form, filled(alpha, form, **{protection.TOKEN: ancient})).status_code == 200
    _nothing_but_spam(alpha)


def test_one_address_is_limited_and_the_refused_posts_record_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form(on_duplicate="skip")
    client = alpha.client(None)
    statuses = [post_json(client, form, filled(alpha, form)).status_code for _ in range(protection.PER_ADDRESS + 2)]
    assert statuses == [200] * protection.PER_ADDRESS + [429, 429]
    with alpha.active():
        assert Submission.objects.count() == protection.PER_ADDRESS


def test_the_limit_is_per_form_and_per_tenant(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        form = make_form(on_duplicate="skip")
        other = make_form(key="other", on_duplicate="skip")
    with beta.active():
        twin = make_form(on_duplicate="skip")
    for _ in range(protection.PER_ADDRESS):
        assert post_json(alpha.client(None), form, filled(alpha, form)).status_code == 200
    assert post_json(alpha.client(None), form, filled(alpha, form)).status_code == 429
    assert post_json(alpha.client(None), other, filled(alpha, other)).status_code == 200
    assert post_json(beta.client(None), twin, filled(beta, twin)).status_code == 200


def test_the_preflight_allows_only_the_forms_origins(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
    client = alpha.client(None)
    allowed = client.options(f"/f/{form.key}/submit", HTTP_ORIGIN=ALLOWED, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == ALLOWED
    assert "Content-Type" in allowed["Access-Control-Allow-Headers"]
    refused = client.options(f"/f/{form.key}/submit", HTTP_ORIGIN="https://evil.test")
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused


def test_a_post_from_another_origin_is_refused_and_records_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
        before = schema_snapshot(alpha.tenant)
    client = alpha.client(None)
    for origin in ("https://evil.test", "null", "http://www.example.test"):
        response = post_json(client, form, filled(alpha, form), origin=origin)
        assert response.status_code == 403
        assert "Access-Control-Allow-Origin" not in response
        # A plain HTML form on another site is a "simple" request without preflight: refused too.
        assert client.post(f"/f/{form.key}/submit", filled(alpha, form), HTTP_ORIGIN=origin).status_code == 403
    assert client.get(f"/f/{form.key}/config", HTTP_ORIGIN="https://evil.test").status_code == 403
    assert schema_snapshot(alpha.tenant) == before


def test_the_workspace_host_itself_may_post(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
    response = post_json(alpha.client(None), form, filled(alpha, form), origin=f"http://{alpha.host}")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_another_tenants_form_key_is_a_404_that_records_nothing(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        form = make_form(key="alpha-only")
    before = schema_snapshot(beta.tenant)
    client = beta.client(None)
    assert client.get("/f/alpha-only/").status_code == 404
    assert client.get("/f/alpha-only/config", HTTP_ORIGIN=ALLOWED).status_code == 404
    assert client.options("/f/alpha-only/submit", HTTP_ORIGIN=ALLOWED).status_code == 404
    assert post_json(client, form, filled(alpha, form)).status_code == 404
    assert client.post("/f/alpha-only/submit", filled(alpha, form)).status_code == 404
    assert schema_snapshot(beta.tenant) == before
    with alpha.active():
        assert not Submission.objects.exists()


def test_without_marketing_in_the_plan_the_public_form_is_a_404(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form()
    Tenant.objects.filter(pk=alpha.tenant.pk).update(enabled_modules=["sales"])
    client = alpha.client(None)
    assert client.get(f"/f/{form.key}/").status_code == 404
    assert client.get(f"/f/{form.key}/config", HTTP_ORIGIN=ALLOWED).status_code == 404
    assert post_json(client, form, filled(alpha, form)).status_code == 404
    with alpha.active():
        assert not Submission.objects.exists()
        assert not Lead.objects.exists()


def test_an_inactive_form_is_a_404(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form(is_active=False)
    assert alpha.client(None).get(f"/f/{form.key}/").status_code == 404
    assert post_json(alpha.client(None), form, filled(alpha, form)).status_code == 404


def _solve(challenge: dict) -> str:
    """What a visitor's browser computes (the embed script's search)."""
    for number in range(challenge["maxNumber"] + 1):
        if hash_hex(challenge["algorithm"], (challenge["salt"] + str(number)).encode()) == challenge["challenge"]:
            fields = ("algorithm", "challenge", "salt", "signature")
            payload = {**{name: challenge[name] for name in fields}, "number": number}
            return base64.b64encode(json.dumps(payload).encode()).decode()
    raise AssertionError("no solution")


def test_a_captcha_form_needs_a_fresh_solved_challenge(alpha: TenantFixture) -> None:
    with alpha.active():
        form = make_form(captcha=True)
    client = alpha.client(None)
    missing = post_json(client, form, filled(alpha, form))
    assert missing.status_code == 400
    assert CAPTCHA_FIELD in missing.json()["errors"]
    challenge = client.get(f"/f/{form.key}/captcha", HTTP_ORIGIN=ALLOWED).json()
    answer = _solve(challenge)
    wrong = json.loads(base64.b64decode(answer))
    wrong["number"] += 1
    forged = base64.b64encode(json.dumps(wrong).encode()).decode()
    assert post_json(client, form, filled(alpha, form, **{CAPTCHA_FIELD: forged})).status_code == 400
    assert post_json(client, form, filled(alpha, form, **{CAPTCHA_FIELD: answer})).status_code == 200
    replayed = post_json(client, form, filled(alpha, form, email="b@example.test", **{CAPTCHA_FIELD: answer}))
    assert replayed.status_code == 400
    with alpha.active():
        assert list(Lead.objects.values_list("email", flat=True)) == ["ada@example.test"]


def test_another_tenants_captcha_answer_does_not_count(alpha: TenantFixture, beta: TenantFixture) -> None:
    with alpha.active():
        form = make_form(captcha=True)
    with beta.active():
        twin = make_form(captcha=True)
    answer = _solve(beta.client(None).get(f"/f/{twin.key}/captcha").json())
    response = post_json(alpha.client(None), form, filled(alpha, form, **{CAPTCHA_FIELD: answer}))
    assert response.status_code == 400
