"""Managing users or roles is no way to gain more than one's own role holds: a user manager gives
only roles within their own (permissions and record visibility), does not change an account that
holds more, and a role editor adds to a role only what their own role holds."""

from __future__ import annotations

from identity.models import Invitation, Role, User
from identity.services.accounts import ensure_user
from tests.tenancy import ADMIN_EMAIL, PASSWORD, REP_EMAIL, TenantFixture

DELEGATE_EMAIL = "delegate@example.test"
VIEWER_EMAIL = "viewer@example.test"
GRANTS_MORE = "You can only grant permissions your own role holds; not "


def _delegate(tenant: TenantFixture, *permissions: str) -> tuple[User, Role]:
    """A user whose custom role (own records) holds ``permissions`` and ``contacts.view``; and a
    smaller role, Viewer, held by another user."""
    with tenant.active():
        role = Role.objects.create(
            key="delegate", name="Delegate", record_visibility="own", permissions=[*permissions, "contacts.view"]
        )
        viewer = Role.objects.create(
            key="viewer", name="Viewer", record_visibility="own", permissions=["contacts.view"]
        )
        ensure_user(email=VIEWER_EMAIL, password=PASSWORD, role=viewer, full_name="Vera Viewer")
        return ensure_user(email=DELEGATE_EMAIL, password=PASSWORD, role=role, full_name="Dan Delegate"), viewer


def _role_of(tenant: TenantFixture, email: str) -> str:
    with tenant.active():
        return User.objects.select_related("role").get(email=email).role.key


def test_a_user_manager_cannot_make_themselves_an_administrator(alpha: TenantFixture) -> None:
    delegate, _viewer = _delegate(alpha, "settings.manage_users")
    with alpha.active():
        admin_role = Role.objects.get(key="admin")

    response = alpha.client(DELEGATE_EMAIL).post(
        f"/settings/users/{delegate.pk}/", {"full_name": "Dan", "role": admin_role.pk, "is_active": "on"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["role"][0].startswith(GRANTS_MORE)
    assert _role_of(alpha, DELEGATE_EMAIL) == "delegate"


def test_a_user_manager_cannot_invite_someone_with_more_than_they_hold(alpha: TenantFixture) -> None:
    _delegate(alpha, "settings.manage_users")
    with alpha.active():
        rep_role = Role.objects.get(key="sales_rep")

    response = alpha.client(DELEGATE_EMAIL).post(
        "/settings/invitations/", {"email": "friend@example.test", "role": rep_role.pk}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["role"][0].startswith(GRANTS_MORE)
    with alpha.active():
        assert not Invitation.objects.filter(email="friend@example.test").exists()


def test_a_user_manager_cannot_change_an_account_that_holds_more(alpha: TenantFixture) -> None:
    _delegate(alpha, "settings.manage_users")
    rep = alpha.user(REP_EMAIL)

    response = alpha.client(DELEGATE_EMAIL).post(
        f"/settings/users/{rep.pk}/", {"full_name": "Demoted", "role": rep.role.pk, "is_active": ""}
    )

    assert response.status_code == 400
    assert "holds more than your own role" in response.context["form"].errors["role"][0]
    with alpha.active():
        assert User.objects.get(email=REP_EMAIL).is_active


def test_a_user_manager_gives_roles_within_their_own(alpha: TenantFixture) -> None:
    _user, viewer = _delegate(alpha, "settings.manage_users")

    response = alpha.client(DELEGATE_EMAIL).post(
        "/settings/invitations/", {"email": "friend@example.test", "role": viewer.pk}
    )

    assert response.status_code == 302
    with alpha.active():
        assert Invitation.objects.get(email="friend@example.test").role == viewer


def test_a_role_editor_cannot_add_to_their_own_role_what_they_do_not_hold(alpha: TenantFixture) -> None:
    delegate, _viewer = _delegate(alpha, "settings.manage_roles")
    role = delegate.role

    widened = alpha.client(DELEGATE_EMAIL).post(
        f"/settings/roles/{role.pk}/",
        {"name": "Delegate", "record_visibility": "all", "permissions": ["settings.manage_roles", "contacts.view"]},
    )
    granted = alpha.client(DELEGATE_EMAIL).post(
        f"/settings/roles/{role.pk}/",
        {
            "name": "Delegate",
            "record_visibility": "own",
            "permissions": ["settings.manage_roles", "contacts.view", "settings.manage_users"],
        },
    )

    assert (widened.status_code, granted.status_code) == (400, 400)
    assert widened.context["form"].errors["record_visibility"] == [
        "You can only grant a record visibility as wide as your own role's."
    ]
    assert granted.context["form"].errors["permissions"] == [GRANTS_MORE + "settings.manage_users."]
    with alpha.active():
        role.refresh_from_db()
    assert (role.record_visibility, sorted(role.permissions)) == ("own", ["contacts.view", "settings.manage_roles"])


def test_a_role_editor_cannot_change_a_role_that_holds_more(alpha: TenantFixture) -> None:
    _delegate(alpha, "settings.manage_roles")
    with alpha.active():
        admin_role = Role.objects.get(key="admin")
        before = sorted(admin_role.permissions)

    response = alpha.client(DELEGATE_EMAIL).post(
        f"/settings/roles/{admin_role.pk}/",
        {
            "name": "Administrator",
            "record_visibility": "all",
            "permissions": ["settings.manage_users", "settings.manage_roles"],
        },
    )

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "This role holds more than your own; only someone who holds as much can change it."
    ]
    with alpha.active():
        assert sorted(Role.objects.get(key="admin").permissions) == before


def test_an_administrator_still_gives_any_role(alpha: TenantFixture) -> None:
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        admin_role = Role.objects.get(key="admin")

    response = alpha.client(ADMIN_EMAIL).post(
        f"/settings/users/{rep.pk}/", {"full_name": "Promoted", "role": admin_role.pk, "is_active": "on"}
    )

    assert response.status_code == 302
    assert _role_of(alpha, REP_EMAIL) == "admin"
