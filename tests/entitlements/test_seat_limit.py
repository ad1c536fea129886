"""The plan's seats: active users and open invitations take one each. Inviting, joining and
reactivating are refused when they are all taken, with nothing written; billed seats follow the
active users once someone joins or is (de)activated."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from billing import providers
from billing.choices import Provider
from billing.models import Subscription
from identity.models import Invitation, Role, User
from identity.services.invitations import invite_user, seats_taken
from tests.api.helpers import create_users
from tests.tenancy import TenantFixture, schema_snapshot

NEW_PASSWORD = "a-fresh-long-password"
FULL = "Your plan includes {} seats and all are taken. Upgrade your plan to invite more people."


def taken(tenant: TenantFixture) -> int:
    with tenant.active():
        return seats_taken()


def invite(tenant: TenantFixture, email: str, client: Client | None = None):
    with tenant.active():
        role = Role.objects.get(key="sales_rep")
    return (client or tenant.client()).post("/settings/invitations/", {"email": email, "role": role.pk})


def invited(tenant: TenantFixture, email: str) -> str:
    with tenant.active():
        _invitation, token = invite_user(
            email=email,
            role=Role.objects.get(key="sales_rep"),
            teams=[],
            invited_by=tenant.user(),
            accept_url_base=f"http://{tenant.host}/invitations/",
        )
    return token


def accept(tenant: TenantFixture, token: str):
    form = {"full_name": "Nina New", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    return tenant.client(email=None).post(f"/invitations/{token}/", form)


def test_at_the_limit_an_invitation_is_refused_with_an_upgrade_link(alpha: TenantFixture, subscribe):
    subscribe(alpha, seat_limit=taken(alpha))
    admin = alpha.client()  # signing in touches last_login: before the snapshot
    before = schema_snapshot(alpha.tenant)

    response = invite(alpha, "one.too.many@example.test", admin)

    limit = taken(alpha)
    assert response.status_code == 400
    assert response.context["form"].errors["email"] == [FULL.format(limit)]
    assert 'data-testid="seats-full"' in response.content.decode()
    assert 'href="/settings/billing/" data-testid="upgrade"' in response.content.decode()
    with alpha.active():
        assert not Invitation.objects.filter(email="one.too.many@example.test").exists()
    assert schema_snapshot(alpha.tenant) == before


def test_an_open_invitation_takes_a_seat(alpha: TenantFixture, subscribe):
    subscribe(alpha, seat_limit=taken(alpha) + 1)

    first = invite(alpha, "first@example.test")
    second = invite(alpha, "second@example.test")
    again = invite(alpha, "first@example.test")  # a new invitation to the same address replaces the old one

    assert (first.status_code, second.status_code, again.status_code) == (302, 400, 302)
    with alpha.active():
        assert list(Invitation.objects.filter(revoked_at__isnull=True).values_list("email", flat=True)) == [
            "first@example.test"
        ]


def test_below_the_limit_an_invitation_is_sent(alpha: TenantFixture, subscribe):
    subscribe(alpha, seat_limit=taken(alpha) + 2)

    response = invite(alpha, "welcome@example.test")
    page = alpha.client().get("/settings/invitations/")

    assert response.status_code == 302
    assert 'data-testid="seats-full"' not in page.content.decode()
    with alpha.active():
        assert Invitation.objects.filter(email="welcome@example.test").exists()


def test_a_tenant_without_a_subscription_has_no_seat_limit(alpha: TenantFixture):
    with alpha.active():
        create_users(30, prefix="crowd")
        assert not Subscription.objects.filter(tenant=alpha.tenant).exists()

    response = invite(alpha, "thirty.first@example.test")

    assert response.status_code == 302


def test_another_tenants_users_do_not_take_this_tenants_seats(alpha: TenantFixture, beta: TenantFixture, subscribe):
    subscribe(alpha, seat_limit=taken(alpha) + 1)
    with beta.active():
        create_users(10, prefix="beta-crowd")
        beta_invitations = Invitation.objects.count()

    response = invite(alpha, "alpha.only@example.test")

    assert response.status_code == 302
    with beta.active():
        assert Invitation.objects.count() == beta_invitations
    assert invite(beta, "beta.fine@example.test").status_code == 302  # beta has no subscription, so no limit


def test_joining_is_refused_when_the_seats_filled_meanwhile(alpha: TenantFixture, subscribe):
    subscribe(alpha, seat_limit=taken(alpha) + 1)
    token = invited(alpha, "late@example.test")
    with alpha.active():
        create_users(1, prefix="meanwhile")  # e.g. reactivated by an admin
    before = schema_snapshot(alpha.tenant)

    response = accept(alpha, token)

    assert response.status_code == 400
    assert "seats of this workspace&#x27;s plan are taken, so you cannot join yet." in response.content.decode()
    assert schema_snapshot(alpha.tenant) == before
    with alpha.active():
        assert not User.objects.filter(email="late@example.test").exists()


def test_reactivating_a_user_past_the_limit_is_refused(alpha: TenantFixture, subscribe):
    with alpha.active():
        sleeper = create_users(1, prefix="sleeper", is_active=False)[0]
        role = sleeper.role
    subscribe(alpha, seat_limit=taken(alpha))
    form = {"full_name": "Sleeper", "role": role.pk, "is_active": "on"}

    response = alpha.client().post(f"/settings/users/{sleeper.pk}/", form)

    assert response.status_code == 400
    assert response.context["form"].errors["is_active"] == [
        f"Your plan includes {taken(alpha)} seats and all are taken. Upgrade your plan to reactivate this user."
    ]
    assert 'data-testid="seats-full"' in response.content.decode()
    with alpha.active():
        sleeper.refresh_from_db()
        assert sleeper.is_active is False


def test_billed_seats_follow_the_active_users(alpha: TenantFixture, subscribe, django_capture_on_commit_callbacks):
    subscription = subscribe(alpha, seat_limit=taken(alpha) + 5)
    token = invited(alpha, "joiner@example.test")

    with django_capture_on_commit_callbacks(execute=True):
        joined = accept(alpha, token)
    subscription.refresh_from_db()
    with alpha.active():
        active = User.objects.filter(is_active=True).count()
        joiner = User.objects.get(email="joiner@example.test")
    seats_after_join = subscription.seats
    with django_capture_on_commit_callbacks(execute=True):
        alpha.client().post(f"/settings/users/{joiner.pk}/", {"full_name": "Joiner", "role": joiner.role_id})
    subscription.refresh_from_db()

    assert joined.status_code == 302
    assert (seats_after_join, subscription.seats) == (active, active - 1)
    assert subscription.changes.filter(seats=active).exists()  # the history records who changed it


class BrokenProvider:
    key = Provider.MANUAL

    def set_seats(self, subscription: Subscription, seats: int, *, actor: str) -> Subscription:
        raise RuntimeError("the provider is down")


def test_a_provider_failure_does_not_undo_the_join(
    alpha: TenantFixture, subscribe, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    subscription = subscribe(alpha, seat_limit=taken(alpha) + 5)
    token = invited(alpha, "resilient@example.test")
    monkeypatch.setitem(providers.PROVIDER_CLASSES, Provider.MANUAL, f"{__name__}.BrokenProvider")

    with (
        caplog.at_level(logging.ERROR, logger="billing.services.seats"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = accept(alpha, token)

    assert response.status_code == 302
    with alpha.active():
        assert User.objects.filter(email="resilient@example.test", is_active=True).exists()
    assert Subscription.objects.get(pk=subscription.pk).seats == subscription.seats
    assert [record.exc_info[1].args for record in caplog.records] == [("the provider is down",)]


@pytest.mark.parametrize("limit", [None, 0])
def test_the_invitations_page_shows_whether_seats_are_left(alpha: TenantFixture, subscribe, limit: int | None):
    if limit is not None:
        subscribe(alpha, seat_limit=taken(alpha) + limit)

    page = alpha.client().get("/settings/invitations/")

    assert page.status_code == 200
    assert ('data-testid="seats-full"' in page.content.decode()) is (limit is not None)
