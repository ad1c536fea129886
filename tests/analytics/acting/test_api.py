"""Starting a workflow on an analysis's records over REST: scopes, permissions, tenants, bad input,
and a real Celery worker running the batches."""

from __future__ import annotations

from pathlib import Path

import pytest

from customization.workflows.choices import RunStatus
from customization.workflows.models import SelectionRun, WorkflowRun
from customization.workflows.selections import start_on_selection
from modules.activities.models import Activity
from modules.contacts.models import Company
from tests.analytics.acting.conftest import SUBJECT, finish, report_cells, selection_rule
from tests.analytics.acting.test_start_pages import BY_INDUSTRY, companies
from tests.analytics.customer_value.test_value_pages import rfm_at_risk
from tests.api.access.helpers import bearer_client, issue_key, post_json
from tests.api.helpers import post_graphql
from tests.tenancy import REP_EMAIL, TenantFixture, grant

URL = "/api/v1/analytics/workflow-selections/"
WRITE = ("analytics:read", "analytics:write", "contacts:read")


def retail_cell(alpha: TenantFixture) -> tuple[int, str]:
    [(count, cell)] = [
        (count, cell)
        for labels, count, cell in report_cells(alpha, None, "companies", BY_INDUSTRY)
        if labels[0] == "Retail"
    ]
    return count, cell


def test_a_key_starts_a_workflow_on_a_report_group_and_follows_it(alpha: TenantFixture):
    made = companies(alpha)
    with alpha.active():
        rule = selection_rule(alpha.user())
    count, cell = retail_cell(alpha)
    _key, token = issue_key(alpha, scopes=WRITE)
    client = bearer_client(alpha, token)

    response = post_json(client, URL, {"workflow": rule.pk, "cell": cell, "expected_count": count})

    assert response.status_code == 202
    body = response.json()
    assert (body["total"], body["entity"], body["status"]) == (3, "company", "queued")
    with alpha.active():
        finish(SelectionRun.objects.get(pk=body["id"]))
    followed = client.get(f"{URL}{body['id']}/").json()
    assert (followed["started"], followed["runs"]["succeeded"]) == (3, 3)
    with alpha.active():
        assert set(Activity.objects.filter(subject=SUBJECT).values_list("company_id", flat=True)) == {
            company.pk for company in made[:3]
        }


def test_a_saved_reports_group_is_named_by_report_and_keys(alpha: TenantFixture):
    companies(alpha)
    with alpha.active():
        from modules.analytics.reports.services import create_report

        report = create_report(by=alpha.user(), name="By industry", source="companies", definition=BY_INDUSTRY)
        rule = selection_rule(alpha.user())
    _key, token = issue_key(alpha, scopes=WRITE)

    response = post_json(bearer_client(alpha, token), URL, {"workflow": rule.pk, "report": report.pk, "keys": [""]})

    assert response.status_code == 202
    assert response.json()["total"] == 2


def test_customer_sets_need_the_sales_scope(alpha: TenantFixture):
    rfm_at_risk(alpha)
    with alpha.active():
        rule = selection_rule(alpha.user())
    _key, without_sales = issue_key(alpha, scopes=WRITE, name="No sales")
    _key, with_sales = issue_key(alpha, scopes=(*WRITE, "sales:read"), name="Sales")
    data = {"workflow": rule.pk, "set": "churn", "period": 12}

    refused = post_json(bearer_client(alpha, without_sales), URL, data)
    accepted = post_json(bearer_client(alpha, with_sales), URL, data)

    assert refused.status_code == 403
    assert "sales" in refused.json()["detail"]
    assert accepted.status_code == 202
    assert accepted.json()["total"] == 2


@pytest.mark.parametrize(
    ("scopes", "email", "grant_codes", "status"),
    [
        (("analytics:read", "contacts:read"), None, (), 403),
        (WRITE, REP_EMAIL, ("analytics.view",), 403),
        (WRITE, REP_EMAIL, ("analytics.view", "analytics.run_workflows"), 202),
    ],
)
def test_scopes_and_permissions_are_checked(alpha: TenantFixture, scopes, email, grant_codes, status):
    companies(alpha, rep_retail=1)
    with alpha.active():
        rule = selection_rule(alpha.user())
    _count, cell = retail_cell(alpha)
    if grant_codes:
        grant(alpha, "sales_rep", *grant_codes)
    _key, token = issue_key(alpha, scopes=scopes, email=email or "admin@example.test")

    response = post_json(bearer_client(alpha, token), URL, {"workflow": rule.pk, "cell": cell})

    assert response.status_code == status
    with alpha.active():
        assert SelectionRun.objects.count() == (1 if status == 202 else 0)
        if status == 202:  # the rep's own visibility: their one company
            assert SelectionRun.objects.get().total == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"workflow": "x"}, "workflow"),
        ({"workflow": "deal-rule"}, "workflow"),
        ({"workflow": "rule", "expected_count": 99}, "expected_count"),
        ({"workflow": "rule", "cell": "forged"}, "cell"),
        ({"workflow": "rule", "cell": None, "set": "nonsense"}, "set"),
        ({"workflow": "rule", "cell": None, "report": 99999999, "keys": ["x"]}, "report"),
        ({"workflow": "rule", "cell": "x" * 9000}, "cell"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(alpha: TenantFixture, data, field):
    companies(alpha)
    with alpha.active():
        rules = {
            "rule": selection_rule(alpha.user()),
            "deal-rule": selection_rule(alpha.user(), entity="deal", name="D"),
        }
    _count, cell = retail_cell(alpha)
    body = {"cell": cell, **data}
    body["workflow"] = rules[data["workflow"]].pk if data["workflow"] in rules else data["workflow"]
    body = {key: value for key, value in body.items() if value is not None}
    _key, token = issue_key(alpha, scopes=WRITE)

    response = post_json(bearer_client(alpha, token), URL, body)

    assert response.status_code == 400
    assert field in [error["field"] for error in response.json()["errors"]]
    with alpha.active():
        assert not SelectionRun.objects.exists()


def test_another_tenants_key_finds_nothing(alpha: TenantFixture, beta: TenantFixture):
    companies(alpha)
    with alpha.active():
        rule = selection_rule(alpha.user())
        selection = start_on_selection(
            rule=rule, entity="company", record_ids=Company.objects.values_list("pk", flat=True), by=alpha.user(),
            label="All",
        )  # fmt: skip
    _count, cell = retail_cell(alpha)
    _key, token = issue_key(beta, scopes=WRITE)
    intruder = bearer_client(beta, token)

    assert intruder.get(f"{URL}{selection.pk}/").status_code == 404
    assert post_json(intruder, URL, {"workflow": rule.pk, "cell": cell}).status_code == 404


@pytest.mark.worker
def test_a_worker_starts_the_batches_and_runs_each_record_once(committed_alpha, celery_worker: Path, monkeypatch):
    from customization.workflows import selections
    from tests.processes import wait_until

    monkeypatch.setattr(selections, "BATCH_SIZE", 2)  # the request side only; the worker uses its own
    with committed_alpha.active():
        admin = committed_alpha.user()
        made = [Company.objects.create(name=f"Committed buyer {n}", owner=admin) for n in range(5)]
        rule = selection_rule(admin, name="Committed selection rule")
        selection = start_on_selection(
            rule=rule, entity="company", record_ids=[company.pk for company in made], by=admin, label="Committed"
        )

    def settled() -> bool:
        with committed_alpha.active():
            done = WorkflowRun.objects.filter(rule=rule, status=RunStatus.SUCCEEDED).count()
            return done == 5

    try:
        wait_until(settled, timeout=90, what="the selection's runs")
        with committed_alpha.active():
            selection.refresh_from_db()
            assert (selection.status, selection.started) == ("started", 5)
            called = list(
                Activity.objects.filter(subject=SUBJECT, company__in=made).values_list("company_id", flat=True)
            )
            assert sorted(called) == sorted(company.pk for company in made)
    finally:
        with committed_alpha.active():
            Activity.objects.filter(subject=SUBJECT, company__in=made).delete()
            Company.objects.filter(pk__in=[company.pk for company in made]).delete()


MUTATION = """
mutation Start($workflow: Int!, $cell: String, $set: String, $expected: Int) {
  workflowSelectionStart(workflow: $workflow, cell: $cell, set: $set, period: 12, expectedCount: $expected) {
    selection { id total status workflowName }
    errors { field message code }
  }
}
"""


def test_graphql_starts_a_workflow_on_a_report_group(alpha: TenantFixture):
    companies(alpha)
    with alpha.active():
        rule = selection_rule(alpha.user())
    count, cell = retail_cell(alpha)
    _key, token = issue_key(alpha, scopes=WRITE)

    body = post_graphql(bearer_client(alpha, token), MUTATION, {"workflow": rule.pk, "cell": cell, "expected": count})

    payload = body.json()["data"]["workflowSelectionStart"]
    assert payload["errors"] == []
    assert (payload["selection"]["total"], payload["selection"]["workflowName"]) == (3, "Call at-risk customers")


@pytest.mark.parametrize(
    ("scopes", "variables", "field", "code"),
    [
        (("analytics:read", "contacts:read"), {}, None, "PERMISSION_DENIED"),
        (WRITE, {"expected": 99}, "expectedCount", "INVALID"),
        (WRITE, {"cell": "forged"}, "cell", "INVALID"),
        (WRITE, {"cell": None, "set": "churn"}, "set", "PERMISSION_DENIED"),
    ],
)
def test_graphql_refusals_name_the_field_and_write_nothing(alpha: TenantFixture, scopes, variables, field, code):
    companies(alpha)
    with alpha.active():
        rule = selection_rule(alpha.user())
    _count, cell = retail_cell(alpha)
    _key, token = issue_key(alpha, scopes=scopes)

    body = post_graphql(bearer_client(alpha, token), MUTATION, {"workflow": rule.pk, "cell": cell, **variables})

    [error] = body.json()["data"]["workflowSelectionStart"]["errors"]
    assert (error["field"], error["code"]) == (field, code)
    with alpha.active():
        assert not SelectionRun.objects.exists()


def test_graphql_from_another_tenant_finds_no_group(alpha: TenantFixture, beta: TenantFixture):
    companies(alpha)
    with alpha.active():
        rule = selection_rule(alpha.user())
    _count, cell = retail_cell(alpha)
    _key, token = issue_key(beta, scopes=WRITE)

    body = post_graphql(bearer_client(beta, token), MUTATION, {"workflow": rule.pk, "cell": cell})

    [error] = body.json()["data"]["workflowSelectionStart"]["errors"]
    assert (error["field"], error["code"]) == ("cell", "NOT_FOUND")
