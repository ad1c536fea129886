"""Helpers of the catalogue and reporting tests: users of each role, sales switched off."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from identity.models import Role, Team, User
from identity.services.accounts import create_user
from tenants.models import Tenant
from tests.tenancy import PASSWORD, TenantFixture

MakeUser = Callable[..., User]


@pytest.fixture
def make_user(alpha: TenantFixture) -> MakeUser:
    """make_user("manager", "mia@example.test", full_name="Mia", teams=["Field sales"]) in tenant alpha."""

    def make(role: str, email: str, *, full_name: str = "", teams: tuple[str, ...] = ()) -> User:
        with alpha.active():
            team_rows = [Team.objects.get_or_create(name=name)[0] for name in teams]
            return create_user(
                email=email, password=PASSWORD, full_name=full_name, role=Role.objects.get(key=role), teams=team_rows
            )

    return make


@pytest.fixture
def sales_disabled(alpha: TenantFixture) -> None:
    Tenant.objects.filter(pk=alpha.tenant.pk).update(enabled_modules=[])
