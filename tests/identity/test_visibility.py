"""Record visibility per role: own, team, all."""

import pytest

from identity.models import Role, Team, User
from identity.services.accounts import create_user
from identity.visibility import restrict_to_visible, visible_owner_ids
from tests.tenancy import TenantFixture


@pytest.fixture
def people(alpha: TenantFixture):
    with alpha.active():
        role = Role.objects.get(key="sales_rep")
        north = Team.objects.create(name="North")
        south = Team.objects.create(name="South")
        ana = create_user(
            email="ana@example.test", password="long-enough-pass-1", full_name="Ana", role=role, teams=[north]
        )
        bob = create_user(
            email="bob@example.test", password="long-enough-pass-1", full_name="Bob", role=role, teams=[north]
        )
        cid = create_user(
            email="cid@example.test", password="long-enough-pass-1", full_name="Cid", role=role, teams=[south]
        )
        yield {"ana": ana, "bob": bob, "cid": cid, "role": role}


def _visible_names(user: User) -> set[str]:
    queryset = User.objects.filter(email__in=["ana@example.test", "bob@example.test", "cid@example.test"])
    return set(restrict_to_visible(queryset, user, owner_field="pk").values_list("full_name", flat=True))


@pytest.mark.parametrize(
    ("visibility", "expected"), [("own", {"Ana"}), ("team", {"Ana", "Bob"}), ("all", {"Ana", "Bob", "Cid"})]
)
def test_a_role_sees_the_records_its_visibility_allows(people, visibility: str, expected: set[str]):
    Role.objects.filter(pk=people["role"].pk).update(record_visibility=visibility)
    ana = User.objects.select_related("role").get(pk=people["ana"].pk)

    assert _visible_names(ana) == expected
    assert (visible_owner_ids(ana) is None) == (visibility == "all")
