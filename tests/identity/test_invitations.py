"""Invitations: sending, accepting once, expiry, withdrawal, and tenant boundaries."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from identity.models import Invitation, Role, User
from identity.services.invitations import hash_token, invite_user
from identity.tasks import send_invitation_email
from tests.tenancy import TenantFixture

NEW_PASSWORD = "a-fresh-long-password"


def _invite(fixture: TenantFixture, email: str = "new@example.test") -> tuple[Invitation, str]:
    with fixture.active():
        return invite_user(
            email=email,
            role=Role.objects.get(key="sales_rep"),
            teams=[],
            invited_by=fixture.user(),
            accept_url_base=f"http://{fixture.host}/invitations/",
        )


def _accept(fixture: TenantFixture, token: str, **data: str):
    form = {"full_name": "Nina New", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD, **data}
    return fixture.client(email=None).post(f"/invitations/{token}/", form)


def test_an_admin_invites_from_settings(alpha: TenantFixture, django_capture_on_commit_callbacks):
    client = alpha.client()
    with alpha.active():
        rep_role = Role.objects.get(key="sales_rep")

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/settings/invitations/", {"email": "New@Example.test", "role": rep_role.pk})

    assert response.status_code == 302
    with alpha.active():
        invitation = Invitation.objects.get()
    assert invitation.email == "new@example.test"
    assert invitation.role == rep_role
    assert invitation.expires_at > timezone.now() + timedelta(days=6)
    assert len(callbacks) == 1  # the e-mail is queued only once the invitation is committed


def test_the_invitation_email_carries_a_working_link(alpha: TenantFixture):
    invitation, token = _invite(alpha)
    link = f"http://{alpha.host}/invitations/{token}/"

    with alpha.active():
        sent = send_invitation_email(invitation.pk, link)

    assert sent is True
    assert mail.outbox[0].to == ["new@example.test"]
    assert link in mail.outbox[0].body
    assert invitation.token_hash == hash_token(token) != token  # only the hash is stored


def test_accepting_creates_the_account_and_signs_in(alpha: TenantFixture):
    _invitation, token = _invite(alpha)
    client = alpha.client(email=None)

    response = client.post(
        f"/invitations/{token}/", {"full_name": "Nina New", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )

    assert response.status_code == 302
    with alpha.active():
        user = User.objects.get(email="new@example.test")
        assert user.role.key == "sales_rep"
        assert user.check_password(NEW_PASSWORD)
        assert Invitation.objects.get().accepted_user == user
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_used_invitation_cannot_be_used_again(alpha: TenantFixture):
    _invitation, token = _invite(alpha)
    _accept(alpha, token)

    again = _accept(alpha, token, full_name="Someone Else")

    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    with alpha.active():
        assert User.objects.filter(email="new@example.test").count() == 1


def test_an_expired_invitation_is_refused_and_creates_nothing(alpha: TenantFixture):
    invitation, token = _invite(alpha)
    with alpha.active():
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    response = _accept(alpha, token)

    assert response.status_code == 410
    assert "This invitation has expired." in response.content.decode()
    with alpha.active():
        assert not User.objects.filter(email="new@example.test").exists()


def test_a_withdrawn_invitation_is_refused(alpha: TenantFixture):
    invitation, token = _invite(alpha)
    alpha.client().post(f"/settings/invitations/{invitation.pk}/revoke/")

    response = _accept(alpha, token)

    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()


@pytest.mark.parametrize("token", ["", "nonsense", "x" * 200])
def test_an_unknown_token_is_refused(alpha: TenantFixture, token: str):
    response = alpha.client(email=None).get(f"/invitations/{token}/" if token else "/invitations/")

    assert response.status_code == 410
    assert "This invitation link is not valid." in response.content.decode()


def test_a_weak_password_is_named_and_the_invitation_stays_open(alpha: TenantFixture):
    invitation, token = _invite(alpha)

    response = _accept(alpha, token, password="123", password_confirm="123")

    assert response.status_code == 400
    assert "password" in response.context["form"].errors
    with alpha.active():
        assert not User.objects.filter(email="new@example.test").exists()
        assert Invitation.objects.get(pk=invitation.pk).is_open


def test_mismatched_passwords_are_named(alpha: TenantFixture):
    _invitation, token = _invite(alpha)

    response = _accept(alpha, token, password_confirm="something-else-entirely")

    assert response.status_code == 400
    assert response.context["form"].errors["password_confirm"] == ["The two passwords differ."]


def test_inviting_an_existing_user_is_refused_by_field(alpha: TenantFixture):
    client = alpha.client()
    with alpha.active():
        role = Role.objects.get(key="sales_rep")

    response = client.post("/settings/invitations/", {"email": "rep@example.test", "role": role.pk})

    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["rep@example.test already has an account."]
    with alpha.active():
        assert not Invitation.objects.exists()


def test_a_new_invitation_replaces_the_open_one(alpha: TenantFixture):
    first, _ = _invite(alpha)
    second, _token = _invite(alpha)

    with alpha.active():
        first.refresh_from_db()
        assert first.revoked_at is not None
        assert Invitation.objects.get(pk=second.pk).is_open


def test_an_invitation_of_tenant_a_means_nothing_on_tenant_b(alpha: TenantFixture, beta: TenantFixture):
    _invitation, token = _invite(alpha)

    response = _accept(beta, token)

    assert response.status_code == 410
    with beta.active():
        assert not User.objects.filter(email="new@example.test").exists()
    with alpha.active():
        assert Invitation.objects.get().is_open


def test_the_email_task_in_tenant_b_finds_nothing_of_tenant_a(alpha: TenantFixture, beta: TenantFixture):
    invitation, token = _invite(alpha)

    with beta.active():
        sent = send_invitation_email(invitation.pk, f"http://{beta.host}/invitations/{token}/")

    assert sent is False
    assert mail.outbox == []


def test_a_sales_rep_cannot_invite(alpha: TenantFixture):
    client = alpha.client(email="rep@example.test")

    response = client.post("/settings/invitations/", {"email": "x@example.test", "role": 1})

    assert response.status_code == 403
    with alpha.active():
        assert not Invitation.objects.exists()


def test_withdrawing_from_the_list_swaps_just_the_row(alpha: TenantFixture):
    invitation, _token = _invite(alpha)

    response = alpha.client().post(f"/settings/invitations/{invitation.pk}/revoke/", headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith("<tr")
    assert "Withdrawn" in body
    assert "<html" not in body
