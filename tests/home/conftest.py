"""Fixtures of the home page tests."""

from __future__ import annotations

import pytest

from identity.models import Role, User
from identity.services.accounts import ensure_user
from tests.activities.conftest import VIEWER_EMAIL
from tests.tenancy import PASSWORD, TenantFixture


@pytest.fixture
def viewer(alpha: TenantFixture) -> User:
    """A read-only user of alpha (sees everything, changes nothing)."""
    with alpha.active():
        return ensure_user(
            email=VIEWER_EMAIL, password=PASSWORD, role=Role.objects.get(key="read_only"), full_name="Vera Viewer"
        )
