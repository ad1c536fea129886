"""Creating an API key and turning two-factor off ask for the password (or a current two-factor
code) again: a field of the form, refused with a field error when wrong."""

from __future__ import annotations

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from identity.models import ApiKey
from tests.tenancy import PASSWORD, REP_EMAIL, TenantFixture

NEW_KEY = {"name": "Warehouse sync", "scopes": ["contacts:read"], "expires_on": ""}
WRONG = "That is not your password or a current code from your authenticator app."


def test_an_api_key_needs_the_password_again(alpha: TenantFixture) -> None:
    client = alpha.client(REP_EMAIL)

    missing = client.post("/settings/api-keys/", NEW_KEY)
    wrong = client.post("/settings/api-keys/", {**NEW_KEY, "current_password": "not-my-password"})

    assert (missing.status_code, wrong.status_code) == (400, 400)
    assert missing.context["form"].errors == {"current_password": ["This field is required."]}
    assert wrong.context["form"].errors == {"current_password": [WRONG]}
    assert 'data-testid="reauth"' in wrong.content.decode()
    with alpha.active():
        assert not ApiKey.objects.exists()


def test_a_current_two_factor_code_also_confirms_it_is_you(alpha: TenantFixture) -> None:
    with alpha.active():
        device = TOTPDevice.objects.create(user=alpha.user(REP_EMAIL), name="phone", confirmed=True)

    response = alpha.client(REP_EMAIL).post(
        "/settings/api-keys/", {**NEW_KEY, "current_password": f"{totp(device.bin_key):06d}"}
    )

    assert response.status_code == 201
    with alpha.active():
        assert ApiKey.objects.get().name == "Warehouse sync"


def test_turning_two_factor_off_needs_the_password_again(alpha: TenantFixture) -> None:
    with alpha.active():
        device = TOTPDevice.objects.create(user=alpha.user(REP_EMAIL), name="phone", confirmed=True)
    client = alpha.client(REP_EMAIL)

    wrong = client.post("/account/two-factor/disable/", {"current_password": "guess"})
    with alpha.active():
        still_on = list(TOTPDevice.objects.values_list("pk", flat=True))
    right = client.post("/account/two-factor/disable/", {"current_password": PASSWORD})

    assert wrong.status_code == 400
    assert WRONG in wrong.content.decode()
    assert still_on == [device.pk]
    assert right.status_code == 302
    with alpha.active():
        assert not TOTPDevice.objects.exists()


def test_wrong_passwords_in_the_field_count_towards_the_sign_in_lockout(alpha: TenantFixture) -> None:
    client = alpha.client(REP_EMAIL)

    answers = [
        client.post("/settings/api-keys/", {**NEW_KEY, "current_password": f"guess-{attempt}"}).status_code
        for attempt in range(5)
    ]
    right_but_locked = client.post("/settings/api-keys/", {**NEW_KEY, "current_password": PASSWORD})
    sign_in = alpha.client(email=None).post("/login/", {"username": REP_EMAIL, "password": PASSWORD})

    assert answers == [400, 400, 400, 400, 429]
    assert right_but_locked.status_code == 429
    assert "Too many failed sign-in attempts" in right_but_locked.content.decode()
    assert sign_in.status_code == 429
    with alpha.active():
        assert not ApiKey.objects.exists()
