"""Following a selection over GraphQL (``workflowSelection``): a selection the rate limit paused says
it is waiting and when it resumes, to the person who started it; another workspace's key, a key
without the read scope, a role without ``analytics.run_workflows`` and anyone else get nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from customization.workflows.models import SelectionRun
from customization.workflows.selections import start_on_selection
from tests.analytics.acting.conftest import selection_rule
from tests.api.access.helpers import bearer_client, issue_key
from tests.api.helpers import post_graphql
from tests.factories import CompanyFactory
from tests.tenancy import REP_EMAIL, TenantFixture, grant

QUERY = """
query Follow($id: Int!) {
  workflowSelection(id: $id) { id status statusText resumesAt total started }
}
"""
RESUMES = datetime(2031, 5, 17, 9, 14, 1, tzinfo=UTC)


@pytest.fixture
def waiting(alpha: TenantFixture) -> int:
    alpha.tenant.time_zone = "UTC"
    alpha.tenant.save(update_fields=["time_zone"])
    with alpha.active():
        made = [CompanyFactory(owner=alpha.user()) for _n in range(2)]
        selection = start_on_selection(
            rule=selection_rule(alpha.user()), entity="company", record_ids=[company.pk for company in made],
            by=alpha.user(), label="Two",
        )  # fmt: skip
        SelectionRun.objects.filter(pk=selection.pk).update(status="waiting", started=1, resumes_at=RESUMES)
        return selection.pk


def test_the_starter_reads_that_it_waits_for_the_rate_limit(alpha: TenantFixture, waiting: int):
    _key, token = issue_key(alpha, scopes=("analytics:read",))

    body = post_graphql(bearer_client(alpha, token), QUERY, {"id": waiting}).json()

    assert "errors" not in body
    assert body["data"]["workflowSelection"] == {
        "id": waiting, "status": "waiting", "statusText": "Waiting for the rate limit (resumes at 09:14)",
        "resumesAt": "2031-05-17T09:14:01+00:00", "total": 2, "started": 1,
    }  # fmt: skip


def test_other_workspaces_scopes_roles_and_people_get_nothing(alpha: TenantFixture, beta: TenantFixture, waiting: int):
    _key, beta_token = issue_key(beta, scopes=("analytics:read",))
    answer = post_graphql(bearer_client(beta, beta_token), QUERY, {"id": waiting}).json()
    assert answer["data"]["workflowSelection"] is None

    _key, unscoped = issue_key(alpha, scopes=("contacts:read",))
    [error] = post_graphql(bearer_client(alpha, unscoped), QUERY, {"id": waiting}).json()["errors"]
    assert error["extensions"]["code"] == "INSUFFICIENT_SCOPE"

    grant(alpha, "sales_rep", "analytics.view")
    _key, rep_token = issue_key(alpha, email=REP_EMAIL, scopes=("analytics:read",))
    [error] = post_graphql(bearer_client(alpha, rep_token), QUERY, {"id": waiting}).json()["errors"]
    assert error["extensions"]["code"] == "PERMISSION_DENIED"

    grant(alpha, "sales_rep", "analytics.run_workflows")
    answer = post_graphql(bearer_client(alpha, rep_token), QUERY, {"id": waiting}).json()
    assert answer["data"]["workflowSelection"] is None
