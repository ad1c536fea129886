"""The settings pages never reach another tenant's users, teams or invitations."""

from identity.models import Invitation, Role, Team
from identity.services.accounts import create_user
from identity.services.invitations import invite_user
from tests.tenancy import TenantFixture, assert_cross_tenant_requests_fail


def test_betas_admin_cannot_see_or_change_alphas_settings_objects(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        role = Role.objects.get(key="sales_rep")
        # Ids beyond what beta has, so they exist only in alpha.
        for index in range(3):
            create_user(email=f"filler{index}@example.test", password="long-enough-pass-1", full_name="", role=role)
        user = create_user(email="only-alpha@example.test", password="long-enough-pass-1", full_name="", role=role)
        Team.objects.create(name="Filler")
        team = Team.objects.create(name="Only alpha")
        invitation, _token = invite_user(
            email="guest@example.test",
            role=role,
            teams=[],
            invited_by=alpha.user(),
            accept_url_base=f"http://{alpha.host}/invitations/",
        )
        Invitation.objects.create(
            email="second@example.test", role=role, token_hash="f" * 64, expires_at=invitation.expires_at
        )
        invitation = Invitation.objects.create(
            email="third@example.test", role=role, token_hash="e" * 64, expires_at=invitation.expires_at
        )
    with beta.active():
        assert not Team.objects.filter(pk=team.pk).exists()
        assert not Invitation.objects.filter(pk=invitation.pk).exists()

    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/settings/users/{user.pk}/", {}),
            ("post", f"/settings/users/{user.pk}/", {"role": role.pk, "is_active": ""}),
            ("get", f"/settings/teams/{team.pk}/", {}),
            ("post", f"/settings/teams/{team.pk}/", {"name": "Renamed"}),
            ("post", f"/settings/teams/{team.pk}/delete/", {}),
            ("post", f"/settings/invitations/{invitation.pk}/revoke/", {}),
        ],
    )
