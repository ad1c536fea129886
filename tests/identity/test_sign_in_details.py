"""A user changes their own password and sign-in e-mail from the account pages: both ask for the
current password again, an e-mail change takes effect only from a link sent to the new address
(once, on its own tenant), both are audited, and neither is open to support staff acting as the user."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from crm_platform.redaction import redact
from identity.models import AuditEntry, User
from tests.tenancy import ADMIN_EMAIL, PASSWORD, REP_EMAIL, TenantFixture, impersonating_client

NEW_PASSWORD = "Another-long-passphrase-77"
NEW_EMAIL = "ana.new@example.test"
WRONG = "That is not your password or a current code from your authenticator app."


@pytest.fixture
def confirmation_link(alpha: TenantFixture, eager_tasks: None, django_capture_on_commit_callbacks) -> str:
    """The rep asked to sign in as NEW_EMAIL; the link the e-mail to that address carries."""
    mail.outbox.clear()
    with alpha.active(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = alpha.client(REP_EMAIL).post("/account/email/", {"email": NEW_EMAIL, "current_password": PASSWORD})
    assert response.status_code == 302
    assert len(callbacks) == 1  # queued once the request is committed
    assert [message.to for message in mail.outbox] == [[NEW_EMAIL]]
    match = re.search(rf"http://{re.escape(alpha.host)}(/account/email/confirm/[^/\s]+/)", mail.outbox[0].body)
    assert match is not None
    return match.group(1)


def test_a_password_change_needs_the_current_password(alpha: TenantFixture) -> None:
    client = alpha.client(REP_EMAIL)
    form = {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}

    missing = client.post("/account/password/", form)
    wrong = client.post("/account/password/", {**form, "current_password": "guess"})

    assert (missing.status_code, wrong.status_code) == (400, 400)
    assert wrong.context["form"].errors == {"current_password": [WRONG]}
    with alpha.active():
        user = User.objects.get(email=REP_EMAIL)
        assert user.check_password(PASSWORD)
        assert not user.check_password(NEW_PASSWORD)
        assert not AuditEntry.objects.filter(action="user.password_changed").exists()


def test_a_weak_or_mistyped_new_password_is_refused_by_name(alpha: TenantFixture) -> None:
    client = alpha.client(REP_EMAIL)

    weak = client.post(
        "/account/password/", {"current_password": PASSWORD, "new_password": "123", "new_password_confirm": "123"}
    )
    mistyped = client.post(
        "/account/password/",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD + "x"},
    )

    assert (weak.status_code, mistyped.status_code) == (400, 400)
    assert list(weak.context["form"].errors) == ["new_password"]
    assert mistyped.context["form"].errors == {"new_password_confirm": ["The two passwords differ."]}
    with alpha.active():
        assert User.objects.get(email=REP_EMAIL).check_password(PASSWORD)


def test_the_password_changes_this_session_goes_on_and_the_change_is_audited(
    alpha: TenantFixture, beta: TenantFixture
) -> None:
    client = alpha.client(REP_EMAIL)

    response = client.post(
        "/account/password/",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
    )

    assert (response.status_code, response["Location"]) == (302, "/account/")
    assert client.get("/account/").status_code == 200  # still signed in
    with alpha.active():
        assert User.objects.get(email=REP_EMAIL).check_password(NEW_PASSWORD)
        entry = AuditEntry.objects.get(action="user.password_changed")
    assert (entry.actor, entry.target) == (REP_EMAIL, f"user:{REP_EMAIL}")
    with beta.active():  # the other tenant's account of the same e-mail is another account
        assert User.objects.get(email=REP_EMAIL).check_password(PASSWORD)


def test_support_staff_acting_as_the_user_change_neither_password_nor_e_mail(alpha: TenantFixture) -> None:
    client = impersonating_client(alpha, REP_EMAIL)

    password = client.post(
        "/account/password/",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
    )
    email = client.post("/account/email/", {"email": NEW_EMAIL, "current_password": PASSWORD})

    assert (password.status_code, email.status_code) == (403, 403)
    assert "cannot change the password" in password.content.decode()
    assert "cannot change the e-mail address" in email.content.decode()
    with alpha.active():
        user = User.objects.get(email=REP_EMAIL)
        assert user.check_password(PASSWORD)


def test_an_e_mail_change_needs_the_password_and_a_free_address(
    alpha: TenantFixture, django_capture_on_commit_callbacks
) -> None:
    client = alpha.client(REP_EMAIL)

    with django_capture_on_commit_callbacks() as callbacks:
        wrong = client.post("/account/email/", {"email": NEW_EMAIL, "current_password": "guess"})
        taken = client.post("/account/email/", {"email": ADMIN_EMAIL.upper(), "current_password": PASSWORD})
        broken = client.post("/account/email/", {"email": "not an address", "current_password": PASSWORD})

    assert (wrong.status_code, taken.status_code, broken.status_code) == (400, 400, 400)
    assert wrong.context["form"].errors == {"current_password": [WRONG]}
    assert taken.context["form"].errors == {
        "email": ["Another user of this workspace signs in with this e-mail address."]
    }
    assert list(broken.context["form"].errors) == ["email"]
    assert callbacks == []  # nothing sent


def test_the_new_address_takes_effect_from_its_link_once(alpha: TenantFixture, confirmation_link: str) -> None:
    with alpha.active():
        assert User.objects.filter(email=REP_EMAIL).exists()  # nothing changed before the link
    visitor = Client(HTTP_HOST=alpha.host)

    shown = visitor.get(confirmation_link)
    confirmed = visitor.post(confirmation_link)
    again = visitor.post(confirmation_link)

    assert shown.status_code == 200
    assert f"{REP_EMAIL} will sign in as {NEW_EMAIL}" in shown.content.decode()
    assert confirmed.status_code == 302
    assert again.status_code == 410
    with alpha.active():
        assert User.objects.filter(email=NEW_EMAIL).exists()
        assert not User.objects.filter(email=REP_EMAIL).exists()
        entry = AuditEntry.objects.get(action="user.email_changed")
    assert entry.details == {"from": REP_EMAIL, "to": NEW_EMAIL}
    assert redact(confirmation_link) == "/account/email/confirm/[redacted]/"  # the link is a credential
    assert (
        Client(HTTP_HOST=alpha.host).post("/login/", {"username": NEW_EMAIL, "password": PASSWORD}).status_code == 302
    )


def test_the_link_does_nothing_on_another_tenant(
    alpha: TenantFixture, beta: TenantFixture, confirmation_link: str
) -> None:
    response = Client(HTTP_HOST=beta.host).post(confirmation_link)

    assert response.status_code == 410
    with beta.active():
        assert User.objects.filter(email=REP_EMAIL).exists()
        assert not User.objects.filter(email=NEW_EMAIL).exists()
    with alpha.active():
        assert User.objects.filter(email=REP_EMAIL).exists()


def test_a_tampered_link_changes_nothing(alpha: TenantFixture, confirmation_link: str) -> None:
    tampered = confirmation_link[:-3] + ("A" if confirmation_link[-3] != "A" else "B") + confirmation_link[-2:]

    response = Client(HTTP_HOST=alpha.host).post(tampered)

    assert response.status_code == 410
    with alpha.active():
        assert User.objects.filter(email=REP_EMAIL).exists()
