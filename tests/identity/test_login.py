"""Signing in: passwords, throttling, two-factor codes, sessions bound to their tenant."""

import base64
import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.tenancy import ADMIN_EMAIL, PASSWORD, TenantFixture


def _sign_in(client, email: str = ADMIN_EMAIL, password: str = PASSWORD):
    return client.post("/login/", {"username": email, "password": password})


def test_a_user_signs_in_with_email_in_any_case(alpha: TenantFixture):
    client = alpha.client(email=None)

    response = _sign_in(client, email=ADMIN_EMAIL.upper())

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_clearly(alpha: TenantFixture):
    client = alpha.client(email=None)

    response = _sign_in(client, password="wrong")

    assert response.status_code == 400
    assert "That e-mail and password do not match an account here." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_empty_form_names_its_fields(alpha: TenantFixture):
    response = alpha.client(email=None).post("/login/", {"username": "not-an-email", "password": ""})

    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"username", "password"}


def test_repeated_failures_lock_the_account_on_that_tenant_only(alpha: TenantFixture, beta: TenantFixture):
    client = alpha.client(email=None)
    for _attempt in range(5):
        _sign_in(client, password="wrong")

    locked = _sign_in(client)  # even the right password is refused while locked

    assert locked.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert _sign_in(beta.client(email=None)).status_code == 302  # same e-mail, other tenant: unaffected


def test_behind_a_trusted_proxy_one_clients_failures_do_not_lock_another(alpha: TenantFixture, settings):
    # given a load balancer at 10.0.0.5 that the installation trusts
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    attacker = alpha.client(email=None, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    owner = alpha.client(email=None, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.2")
    # when one client fails five times on the admin's account
    for _attempt in range(5):
        _sign_in(attacker, password="wrong")
    # then that client is locked out, and the owner behind the same balancer still signs in
    assert _sign_in(attacker).status_code == 429
    assert _sign_in(owner).status_code == 302
    assert "_auth_user_id" not in attacker.session


def test_an_untrusted_peer_cannot_escape_the_lockout_with_x_forwarded_for(alpha: TenantFixture, settings):
    # given trusted proxies that do not include the peer
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # when it fails five times, naming a new address in X-Forwarded-For each time
    for attempt in range(5):
        forged = alpha.client(email=None, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}")
        _sign_in(forged, password="wrong")
    # then it is locked out under its own address, whatever it claims next
    again = alpha.client(email=None, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert _sign_in(again).status_code == 429
    assert "_auth_user_id" not in again.session


def test_the_next_parameter_only_redirects_within_the_host(alpha: TenantFixture):
    client = alpha.client(email=None)

    inside = client.post("/login/?next=/settings/users/", {"username": ADMIN_EMAIL, "password": PASSWORD})
    client.post("/logout/")
    outside = client.post("/login/?next=https://evil.test/", {"username": ADMIN_EMAIL, "password": PASSWORD})

    assert inside["Location"] == "/settings/users/"
    assert outside["Location"] == "/"


def test_signing_out_needs_a_post(alpha: TenantFixture):
    client = alpha.client()

    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_a_session_from_tenant_a_is_worthless_on_tenant_b(alpha: TenantFixture, beta: TenantFixture):
    alpha_client = alpha.client()
    stolen = alpha_client.cookies["sessionid"].value
    intruder = beta.client(email=None)
    intruder.cookies["sessionid"] = stolen

    response = intruder.get("/settings/users/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_session_cookies_are_host_only(alpha: TenantFixture):
    client = alpha.client(email=None)

    _sign_in(client)

    cookie = client.cookies["sessionid"]
    assert cookie["domain"] == ""
    assert cookie["httponly"] is True


def test_two_factor_users_need_a_valid_code(alpha: TenantFixture):
    user = alpha.user()
    with alpha.active():
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = alpha.client(email=None)

    first_step = _sign_in(client)
    wrong = client.post("/login/verify/", {"code": "000000" if totp(device.bin_key) != 0 else "111111"})

    assert first_step["Location"] == "/login/verify/"
    assert "_auth_user_id" not in client.session
    assert wrong.status_code == 400
    assert "That code is not valid" in wrong.content.decode()
    assert "_auth_user_id" not in client.session

    too_soon = client.post("/login/verify/", {"code": f"{totp(device.bin_key):06d}"})
    assert too_soon.status_code == 400
    assert "Too many wrong codes" in too_soon.content.decode()

    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        right = client.post("/login/verify/", {"code": f"{totp(device.bin_key):06d}"})

    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_verify_step_without_a_password_step_goes_back_to_sign_in(alpha: TenantFixture):
    response = alpha.client(email=None).post("/login/verify/", {"code": "123456"})

    assert response["Location"] == "/login/"


def test_turning_on_two_factor_needs_a_first_valid_code(alpha: TenantFixture):
    client = alpha.client()
    page = client.get("/account/two-factor/")
    with alpha.active():
        device = TOTPDevice.objects.get(user=alpha.user(), confirmed=False)

    rejected = client.post("/account/two-factor/", {"code": "12345"})
    accepted = client.post("/account/two-factor/", {"code": f"{totp(device.bin_key):06d}"})

    manual_key = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page.content.decode()).group(1)
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    assert (
        base64.b32decode(manual_key.replace(" ", "") + "=" * (-len(manual_key.replace(" ", "")) % 8)) == device.bin_key
    )
    assert rejected.status_code == 400
    assert accepted.status_code == 302
    with alpha.active():
        assert TOTPDevice.objects.get(pk=device.pk).confirmed


@pytest.mark.parametrize("language", ["fr", "sr-latn"])
def test_switching_the_language_is_remembered_on_the_account(alpha: TenantFixture, language: str):
    client = alpha.client()

    response = client.post("/i18n/locale/", {"language": language, "next": "/account/"})

    assert response["Location"] == "/account/"
    assert response.cookies["django_language"].value == language
    assert alpha.user().locale == language
    assert client.get("/").headers["Content-Language"] == language


def test_an_unknown_language_is_refused(alpha: TenantFixture):
    response = alpha.client().post("/i18n/locale/", {"language": "tlh"})

    assert response.status_code == 400
    assert alpha.user().locale == ""
