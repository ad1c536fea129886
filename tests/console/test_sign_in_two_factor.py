"""Operators sign in to the console with a password and a TOTP code; one without an authenticator
enrols it before anything else; every attempt is in the operators' audit log."""

from __future__ import annotations

from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from identity.models import AuditEntry, User
from tests.console.conftest import OPERATOR_EMAIL, OPERATOR_PASSWORD, PUBLIC_HOST, enrol_with_first_code


def _console_entries() -> list[tuple[str, str, dict[str, object]]]:
    with schema_context("public"):
        return list(
            AuditEntry.objects.filter(target="console").order_by("id").values_list("action", "actor", "details")
        )


def _password_step(client: Client, password: str = OPERATOR_PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/console/login/", {"username": OPERATOR_EMAIL, "password": password})


def test_the_password_alone_does_not_open_the_console(operator: User) -> None:
    client = Client(HTTP_HOST=PUBLIC_HOST)

    password_step = _password_step(client)
    console = client.get("/console/")
    page = client.get("/console/login/verify/")

    assert password_step["Location"] == "/console/login/verify/"
    assert "_auth_user_id" not in client.session
    assert console["Location"] == "/console/login/?next=/console/"
    assert "Set up two-factor sign-in" in page.content.decode()
    with schema_context("public"):
        assert list(TOTPDevice.objects.filter(user=operator).values_list("confirmed", flat=True)) == [False]


def test_an_operator_without_an_authenticator_enrols_it_and_is_then_signed_in(operator: User) -> None:
    client = Client(HTTP_HOST=PUBLIC_HOST)
    _password_step(client)

    signed_in = enrol_with_first_code(client)
    home = client.get("/console/")

    assert signed_in["Location"] == "/console/"
    assert home.status_code == 200
    with schema_context("public"):
        assert list(TOTPDevice.objects.filter(user=operator).values_list("confirmed", flat=True)) == [True]
    assert [action for action, _actor, _details in _console_entries()] == [
        "console.two_factor.enrolled",
        "console.sign_in.succeeded",
    ]


def test_an_enrolled_operator_needs_a_valid_code(operator: User) -> None:
    with schema_context("public"):
        device = TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)
    client = Client(HTTP_HOST=PUBLIC_HOST)
    _password_step(client)
    good = f"{totp(device.bin_key):06d}"

    wrong = client.post("/console/login/verify/", {"code": "000000" if good != "000000" else "111111"})
    refused_home = client.get("/console/")

    assert wrong.status_code == 400
    assert "That code is not valid." in wrong.content.decode()
    assert "Set up two-factor sign-in" not in wrong.content.decode()
    assert refused_home.status_code == 302
    assert "_auth_user_id" not in client.session
    assert _console_entries() == [
        ("console.sign_in.failed", OPERATOR_EMAIL, {"step": "code"}),
    ]


def test_a_password_only_session_is_signed_out_of_the_console(operator: User) -> None:
    client = Client(HTTP_HOST=PUBLIC_HOST)
    with schema_context("public"):
        client.force_login(operator, backend="identity.backends.EmailBackend")

    response = client.get("/console/audit-log/")

    assert response["Location"] == "/console/login/?next=/console/audit-log/"
    assert "_auth_user_id" not in client.session


def test_every_failed_password_is_audited_and_the_lockout_too(operator: User) -> None:
    client = Client(HTTP_HOST=PUBLIC_HOST)

    answers = [_password_step(client, "wrong-password").status_code for _attempt in range(5)]

    assert answers == [400, 400, 400, 400, 429]
    entries = _console_entries()
    assert (
        entries[:4]
        == [("console.sign_in.failed", OPERATOR_EMAIL, {"step": "password", "reason": "wrong e-mail or password"})] * 4
    )
    assert entries[4] == ("console.sign_in.locked_out", OPERATOR_EMAIL, {})
    with schema_context("public"):
        assert AuditEntry.objects.filter(target="console").exclude(ip_address="127.0.0.1").count() == 0
