"""A suspended (read-only) tenant: both APIs still read; REST writes and GraphQL mutations are
refused with a message that says why."""

import json

import graphene
import pytest

from identity.models import Team
from identity.services.teams import save_team
from tenants.middleware import read_only_message
from tenants.services.lifecycle import transition_tenant
from tests.api.helpers import PROBLEM_BASE, post_graphql, run_graphql_view
from tests.tenancy import TenantFixture


@pytest.fixture
def suspended_alpha(alpha: TenantFixture) -> TenantFixture:
    transition_tenant(alpha.tenant, "suspended", actor="test")  # rolled back with the test
    return alpha


def test_rest_reads_still_work_on_a_suspended_tenant(suspended_alpha: TenantFixture):
    response = suspended_alpha.client().get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["tenant"]["status"] == "suspended"
    assert response.json()["tenant"]["read_only"] is True


def test_rest_writes_get_the_read_only_problem(suspended_alpha: TenantFixture):
    response = suspended_alpha.client().post("/api/v1/users/", {}, content_type="application/json")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": f"{PROBLEM_BASE}tenant-read-only",
        "title": "Workspace is read-only",
        "status": 403,
        "detail": read_only_message(suspended_alpha.tenant),
    }


def test_graphql_queries_still_work_on_a_suspended_tenant(suspended_alpha: TenantFixture):
    response = post_graphql(suspended_alpha.client(), "{ me { email } }")

    assert response.json() == {"data": {"me": {"email": "admin@example.test"}}}


def test_graphql_mutations_are_refused_on_a_suspended_tenant(suspended_alpha: TenantFixture):
    response = post_graphql(suspended_alpha.client(), "mutation { anything }")

    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": read_only_message(suspended_alpha.tenant), "extensions": {"code": "TENANT_READ_ONLY"}}]
    }


class _CreateTeam(graphene.Mutation):
    """A mutation for this test only: the real schema has none yet."""

    class Arguments:
        name = graphene.String(required=True)

    name = graphene.String()

    def mutate(self, info, name):
        return _CreateTeam(name=save_team(team=None, name=name, description="", members=[], by=None).name)


class _Mutations(graphene.ObjectType):
    create_team = _CreateTeam.Field()


class _Query(graphene.ObjectType):
    ok = graphene.Boolean(default_value=True)


MUTATION_SCHEMA = graphene.Schema(query=_Query, mutation=_Mutations)
CREATE_TEAM = 'mutation { createTeam(name: "Night shift") { name } }'


def test_a_mutation_runs_on_an_active_tenant(alpha: TenantFixture):
    response = run_graphql_view(alpha, MUTATION_SCHEMA, CREATE_TEAM)

    assert json.loads(response.content) == {"data": {"createTeam": {"name": "Night shift"}}}
    with alpha.active():
        assert Team.objects.filter(name="Night shift").exists()


def test_the_same_mutation_is_refused_on_a_suspended_tenant_and_changes_nothing(suspended_alpha: TenantFixture):
    response = run_graphql_view(suspended_alpha, MUTATION_SCHEMA, CREATE_TEAM)

    assert response.status_code == 400
    assert json.loads(response.content)["errors"][0]["extensions"] == {"code": "TENANT_READ_ONLY"}
    with suspended_alpha.active():
        assert not Team.objects.filter(name="Night shift").exists()


def test_queries_of_a_schema_with_mutations_still_run_on_a_suspended_tenant(suspended_alpha: TenantFixture):
    response = run_graphql_view(suspended_alpha, MUTATION_SCHEMA, "{ ok }")

    assert json.loads(response.content) == {"data": {"ok": True}}
