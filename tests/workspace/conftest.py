"""Users of other roles in tenant alpha, for the permission tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from identity.models import Role, User
from identity.services.accounts import create_user
from tests.tenancy import PASSWORD, TenantFixture


@pytest.fixture
def make_user(alpha: TenantFixture) -> Callable[[str, str], User]:
    def make(role: str, email: str) -> User:
        with alpha.active():
            return create_user(email=email, password=PASSWORD, full_name="", role=Role.objects.get(key=role), teams=[])

    return make
