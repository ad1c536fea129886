"""The settings area: users, roles, teams — permissions, validation, query counts."""

import re

import pytest

from identity.models import Role, Team, User
from identity.services.accounts import create_user
from tests.tenancy import REP_EMAIL, TenantFixture

SETTINGS_PAGES = ["/settings/users/", "/settings/invitations/", "/settings/roles/", "/settings/teams/"]


@pytest.mark.parametrize("path", SETTINGS_PAGES)
def test_an_admin_opens_every_settings_page(alpha: TenantFixture, path: str):
    response = alpha.client().get(path)

    assert response.status_code == 200


@pytest.mark.parametrize("path", [*SETTINGS_PAGES, "/settings/users/1/", "/settings/roles/1/"])
def test_a_sales_rep_is_refused_with_the_missing_permission_named(alpha: TenantFixture, path: str):
    response = alpha.client(email=REP_EMAIL).get(path)

    assert response.status_code == 403
    assert "Your role does not include" in response.content.decode()


@pytest.mark.parametrize("path", SETTINGS_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(alpha: TenantFixture, path: str):
    response = alpha.client(email=None).get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


def test_the_users_page_costs_the_same_queries_for_many_users(alpha: TenantFixture, django_assert_max_num_queries):
    client = alpha.client()
    with alpha.active():
        role = Role.objects.get(key="sales_rep")
        team = Team.objects.get()
        for index in range(40):
            create_user(
                email=f"user{index}@example.test", password="long-enough-pass-1", full_name="", role=role, teams=[team]
            )

    with django_assert_max_num_queries(8):
        response = client.get("/settings/users/")

    edit_links = re.findall(r'href="/settings/users/\d+/"', response.content.decode())
    assert len(edit_links) == 42  # 40 + admin + rep


def test_an_admin_changes_a_users_role_and_teams(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        manager = Role.objects.get(key="manager")

    response = alpha.client().post(
        f"/settings/users/{rep.pk}/", {"full_name": "Rita R.", "role": manager.pk, "is_active": "on"}
    )

    assert response.status_code == 302
    rep = alpha.user(REP_EMAIL)
    assert (rep.full_name, rep.role.key, list(rep.teams.all())) == ("Rita R.", "manager", [])


def test_an_admin_cannot_demote_themself(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        rep_role = Role.objects.get(key="sales_rep")

    response = alpha.client().post(f"/settings/users/{admin.pk}/", {"role": rep_role.pk, "is_active": "on"})

    assert response.status_code == 400
    assert response.context["form"].errors["role"] == ["You cannot remove your own administrator access."]
    assert alpha.user().role.key == "admin"


def test_a_user_of_another_tenant_is_not_found(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        role = Role.objects.get(key="sales_rep")
        only_in_alpha = create_user(
            email="solo@example.test", password="long-enough-pass-1", full_name="Solo", role=role
        )

    response = beta.client().get(f"/settings/users/{only_in_alpha.pk}/")

    assert response.status_code == 404


def test_role_edits_keep_permissions_known_and_admins_able(alpha: TenantFixture):
    with alpha.active():
        admin_role = Role.objects.get(key="admin")
        rep_role = Role.objects.get(key="sales_rep")
    client = alpha.client()

    unknown = client.post(
        f"/settings/roles/{rep_role.pk}/",
        {"name": "Rep", "record_visibility": "own", "permissions": ["sales.view", "launch.rockets"]},
    )
    crippled = client.post(
        f"/settings/roles/{admin_role.pk}/",
        {"name": "Admin", "record_visibility": "all", "permissions": ["sales.view"]},
    )
    fine = client.post(
        f"/settings/roles/{rep_role.pk}/",
        {"name": "Field rep", "record_visibility": "team", "permissions": ["sales.view", "contacts.view"]},
    )

    assert unknown.status_code == 400
    assert "permissions" in unknown.context["form"].errors
    assert crippled.status_code == 400
    assert crippled.context["form"].errors["permissions"] == [
        "The administrator role must keep user and role management."
    ]
    assert fine.status_code == 302
    with alpha.active():
        rep_role.refresh_from_db()
        admin_role.refresh_from_db()
    assert (rep_role.name, rep_role.record_visibility, rep_role.permissions) == (
        "Field rep",
        "team",
        ["contacts.view", "sales.view"],
    )
    assert "settings.manage_users" in admin_role.permissions


def test_teams_are_created_renamed_and_deleted(alpha: TenantFixture):
    client = alpha.client()
    rep = alpha.user(REP_EMAIL)

    created = client.post("/settings/teams/new/", {"name": "Key accounts", "description": "", "members": [rep.pk]})
    duplicate = client.post("/settings/teams/new/", {"name": "key accounts", "description": ""})
    with alpha.active():
        team = Team.objects.get(name="Key accounts")
    renamed = client.post(f"/settings/teams/{team.pk}/", {"name": "Strategic", "description": "Top 20"})
    deleted = client.post(f"/settings/teams/{team.pk}/delete/")

    assert created.status_code == 302
    assert duplicate.status_code == 400
    assert duplicate.context["form"].errors["name"] == ["A team with this name already exists."]
    assert renamed.status_code == 302
    assert deleted.status_code == 302
    with alpha.active():
        assert not Team.objects.filter(name__in=["Key accounts", "Strategic"]).exists()
        assert User.objects.filter(email=REP_EMAIL).exists()


def test_the_profile_saves_name_language_and_time_zone(alpha: TenantFixture):
    client = alpha.client()

    bad = client.post("/account/", {"full_name": "Ada", "locale": "fr", "time_zone": "Mars/Olympus"})

    assert bad.status_code == 400
    assert bad.context["form"].errors["time_zone"] == [
        "Select a valid choice. Mars/Olympus is not one of the available choices."
    ]
    assert (alpha.user().full_name, alpha.user().locale) == ("", "")  # the failed save wrote nothing

    good = client.post("/account/", {"full_name": "Ada", "locale": "ro", "time_zone": "Europe/Bucharest"})

    assert good.status_code == 302
    admin = alpha.user()
    assert (admin.full_name, admin.locale, admin.time_zone) == ("Ada", "ro", "Europe/Bucharest")
