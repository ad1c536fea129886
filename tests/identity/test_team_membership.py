"""Team membership changes never widen the editor's own sight beyond their role's, and every
membership change is in the tenant's audit log."""

from __future__ import annotations

from identity.models import AuditEntry, Invitation, Role, Team, User
from identity.services.accounts import ensure_user
from identity.services.teams import save_team
from tests.tenancy import ADMIN_EMAIL, PASSWORD, REP_EMAIL, TenantFixture, grant

MANAGER_EMAIL = "manager@example.test"
JOIN_REFUSED = (
    "You cannot add yourself to the team Field sales: your role does not see all records, and a team's members"
    " see each other's records."
)


def _manager(tenant: TenantFixture, *extra_permissions: str) -> User:
    """A manager (team visibility, ``settings.manage_teams``) who belongs to no team yet."""
    if extra_permissions:
        grant(tenant, "manager", *extra_permissions)
    with tenant.active():
        role = Role.objects.get(key="manager")
        return ensure_user(email=MANAGER_EMAIL, password=PASSWORD, role=role, full_name="Mona Manager")


def _members(tenant: TenantFixture, name: str) -> list[str]:
    with tenant.active():
        return sorted(Team.objects.get(name=name).members.values_list("email", flat=True))


def _team_entries(tenant: TenantFixture) -> list[tuple[str, str, dict[str, object]]]:
    with tenant.active():
        return list(
            AuditEntry.objects.filter(action__startswith="team.")
            .order_by("id")
            .values_list("action", "actor", "details")
        )


def test_a_manager_cannot_add_themselves_to_a_team(alpha: TenantFixture) -> None:
    manager = _manager(alpha)
    with alpha.active():
        team = Team.objects.get(name="Field sales")
    before = _team_entries(alpha)

    response = alpha.client(MANAGER_EMAIL).post(
        f"/settings/teams/{team.pk}/",
        {"name": "Field sales", "description": "", "members": [alpha.user(REP_EMAIL).pk, alpha.user().pk, manager.pk]},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["members"] == [JOIN_REFUSED]
    assert 'data-testid="team-widening-note"' in response.content.decode()
    assert _members(alpha, "Field sales") == [ADMIN_EMAIL, REP_EMAIL]
    assert _team_entries(alpha) == before


def test_a_manager_cannot_add_members_to_a_team_they_belong_to(alpha: TenantFixture) -> None:
    manager = _manager(alpha)
    with alpha.active():
        team = save_team(team=None, name="Inside sales", description="", members=[manager], by=None)

    response = alpha.client(MANAGER_EMAIL).post(
        f"/settings/teams/{team.pk}/",
        {"name": "Inside sales", "description": "", "members": [manager.pk, alpha.user(REP_EMAIL).pk]},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["members"] == [
        "You cannot add members to the team Inside sales: you belong to it and your role does not see all records,"
        " so their records would become visible to you."
    ]
    assert _members(alpha, "Inside sales") == [MANAGER_EMAIL]


def test_a_manager_cannot_create_a_team_with_themselves_in_it(alpha: TenantFixture) -> None:
    manager = _manager(alpha)

    response = alpha.client(MANAGER_EMAIL).post(
        "/settings/teams/new/", {"name": "Mine", "description": "", "members": [manager.pk, alpha.user().pk]}
    )

    assert response.status_code == 400
    assert "You cannot add yourself to the team Mine" in response.context["form"].errors["members"][0]
    with alpha.active():
        assert not Team.objects.filter(name="Mine").exists()


def test_a_manager_arranges_teams_they_are_not_in_and_leaves_their_own_audited(alpha: TenantFixture) -> None:
    manager = _manager(alpha)
    with alpha.active():
        inside = save_team(team=None, name="Inside sales", description="", members=[manager], by=None)
        field = Team.objects.get(name="Field sales")
    client = alpha.client(MANAGER_EMAIL)

    removed = client.post(
        f"/settings/teams/{field.pk}/", {"name": "Field sales", "description": "", "members": [alpha.user().pk]}
    )
    left = client.post(f"/settings/teams/{inside.pk}/", {"name": "Inside sales", "description": ""})

    assert (removed.status_code, left.status_code) == (302, 302)
    assert _members(alpha, "Field sales") == [ADMIN_EMAIL]
    assert _members(alpha, "Inside sales") == []
    assert _team_entries(alpha)[-2:] == [
        ("team.members_changed", MANAGER_EMAIL, {"team": "Field sales", "added": [], "removed": [REP_EMAIL]}),
        ("team.members_changed", MANAGER_EMAIL, {"team": "Inside sales", "added": [], "removed": [MANAGER_EMAIL]}),
    ]


def test_an_admin_seeing_everything_joins_any_team_audited(alpha: TenantFixture) -> None:
    _manager(alpha)
    with alpha.active():
        team = save_team(team=None, name="Inside sales", description="", members=[], by=None)

    response = alpha.client().post(
        f"/settings/teams/{team.pk}/",
        {"name": "Inside sales", "description": "", "members": [alpha.user().pk, alpha.user(MANAGER_EMAIL).pk]},
    )
    deleted = alpha.client().post(f"/settings/teams/{team.pk}/delete/")

    assert (response.status_code, deleted.status_code) == (302, 302)
    assert _team_entries(alpha)[-2:] == [
        (
            "team.members_changed",
            ADMIN_EMAIL,
            {"team": "Inside sales", "added": [ADMIN_EMAIL, MANAGER_EMAIL], "removed": []},
        ),
        ("team.deleted", ADMIN_EMAIL, {"team": "Inside sales", "added": [], "removed": [ADMIN_EMAIL, MANAGER_EMAIL]}),
    ]


def test_the_user_form_cannot_put_the_editor_into_a_team(alpha: TenantFixture) -> None:
    manager = _manager(alpha, "settings.manage_users")
    with alpha.active():
        field = Team.objects.get(name="Field sales")
        manager_role = Role.objects.get(key="manager")
    before = _team_entries(alpha)

    response = alpha.client(MANAGER_EMAIL).post(
        f"/settings/users/{manager.pk}/",
        {"full_name": "Mona Manager", "role": manager_role.pk, "teams": [field.pk], "is_active": "on"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["teams"] == [JOIN_REFUSED]
    assert _members(alpha, "Field sales") == [ADMIN_EMAIL, REP_EMAIL]
    assert _team_entries(alpha) == before


def test_the_user_form_cannot_add_someone_to_the_editors_team(alpha: TenantFixture) -> None:
    manager = _manager(alpha, "settings.manage_users")
    with alpha.active():
        inside = save_team(team=None, name="Inside sales", description="", members=[manager], by=None)
        rep = alpha.user(REP_EMAIL)

    response = alpha.client(MANAGER_EMAIL).post(
        f"/settings/users/{rep.pk}/",
        {"full_name": "Rita Rep", "role": rep.role_id, "teams": [inside.pk], "is_active": "on"},
    )

    assert response.status_code == 400
    assert "You cannot add members to the team Inside sales" in response.context["form"].errors["teams"][0]
    assert _members(alpha, "Inside sales") == [MANAGER_EMAIL]


def test_an_invitation_into_the_inviters_own_team_is_refused(alpha: TenantFixture) -> None:
    manager = _manager(alpha, "settings.manage_users")
    with alpha.active():
        inside = save_team(team=None, name="Inside sales", description="", members=[manager], by=None)
        role = Role.objects.get(key="sales_rep")

    response = alpha.client(MANAGER_EMAIL).post(
        "/settings/invitations/", {"email": "new@example.test", "role": role.pk, "teams": [inside.pk]}
    )

    assert response.status_code == 400
    assert "You cannot add members to the team Inside sales" in response.context["form"].errors["teams"][0]
    with alpha.active():
        assert not Invitation.objects.filter(email="new@example.test").exists()


def test_an_admin_changing_a_users_teams_is_audited_per_team(alpha: TenantFixture) -> None:
    with alpha.active():
        inside = save_team(team=None, name="Inside sales", description="", members=[], by=None)
        rep = alpha.user(REP_EMAIL)

    response = alpha.client().post(
        f"/settings/users/{rep.pk}/",
        {"full_name": "Rita Rep", "role": rep.role_id, "teams": [inside.pk], "is_active": "on"},
    )

    assert response.status_code == 302
    assert _team_entries(alpha)[-2:] == [
        ("team.members_changed", ADMIN_EMAIL, {"team": "Inside sales", "added": [REP_EMAIL], "removed": []}),
        ("team.members_changed", ADMIN_EMAIL, {"team": "Field sales", "added": [], "removed": [REP_EMAIL]}),
    ]


def test_team_pages_refuse_a_role_without_manage_teams_and_another_tenant(
    alpha: TenantFixture, beta: TenantFixture
) -> None:
    with alpha.active():
        team = save_team(team=None, name="Only alpha", description="", members=[], by=None)
    before = _team_entries(alpha)

    by_rep = alpha.client(REP_EMAIL).post(
        f"/settings/teams/{team.pk}/", {"name": "Only alpha", "members": [alpha.user(REP_EMAIL).pk]}
    )
    by_beta = beta.client().post(f"/settings/teams/{team.pk}/", {"name": "Only alpha", "members": [beta.user().pk]})

    assert (by_rep.status_code, by_beta.status_code) == (403, 404)
    assert _members(alpha, "Only alpha") == []
    assert _team_entries(alpha) == before
