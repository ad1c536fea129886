"""Settings → Workflows pages: who may open them, the builder's save and its errors, and what the
lists cost."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customization.workflows.models import EmailTemplate, WorkflowRule, WorkflowRuleVersion, WorkflowStepRun
from customization.workflows.services import create_email_template, set_rule_active
from identity.models import Team
from modules.activities.models import Activity
from tests.customization.workflows.ui.conftest import follow_up_definition, make_rule, make_runs
from tests.factories import DealFactory
from tests.tenancy import REP_EMAIL, TenantFixture, schema_snapshot


def _posted(alpha: TenantFixture, **overrides: Any) -> dict[str, str]:
    """The builder's form data for the follow-up rule (JSON documents in their hidden inputs)."""
    with alpha.active():
        definition = follow_up_definition(**overrides)
    return {
        "name": definition["name"],
        "description": "",
        "entity": definition["entity"],
        "trigger": definition["trigger"],
        "trigger_config": json.dumps(definition["trigger_config"]),
        "conditions": json.dumps(definition["conditions"]),
        "actions": json.dumps(definition["actions"]),
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/settings/workflows/"),
        ("get", "/settings/workflows/new/"),
        ("post", "/settings/workflows/new/"),
        ("get", "/settings/workflows/{r}/"),
        ("post", "/settings/workflows/{r}/"),
        ("post", "/settings/workflows/{r}/active/"),
        ("post", "/settings/workflows/{r}/duplicate/"),
        ("get", "/settings/workflows/{r}/delete/"),
        ("post", "/settings/workflows/{r}/delete/"),
        ("get", "/settings/workflows/{r}/records/"),
        ("post", "/settings/workflows/{r}/test/"),
        ("get", "/settings/workflows/{r}/runs/"),
        ("get", "/settings/workflows/{r}/runs/{run}/"),
        ("get", "/settings/workflows/templates/"),
        ("get", "/settings/workflows/templates/new/"),
        ("post", "/settings/workflows/templates/new/"),
        ("get", "/settings/workflows/templates/{t}/"),
        ("post", "/settings/workflows/templates/{t}/"),
        ("post", "/settings/workflows/templates/{t}/delete/"),
    ],
)
def test_a_rep_gets_403_everywhere_and_changes_nothing(alpha: TenantFixture, rule, method: str, path: str):
    with alpha.active():
        run = make_runs(rule, 1)[0]
        template = create_email_template(name="Hello", subject="Hi", body="Hello")
    client = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    url = path.format(r=rule.pk, run=run.pk, t=template.pk)
    response = getattr(client, method)(url, {**_posted(alpha, name="Mine"), "active": "1", "record": run.record_id})

    assert response.status_code == 403
    assert schema_snapshot(alpha.tenant) == before


@pytest.mark.parametrize(
    "path",
    [
        "/settings/workflows/",
        "/settings/workflows/new/",
        "/settings/workflows/{r}/",
        "/settings/workflows/{r}/delete/",
        "/settings/workflows/{r}/runs/",
        "/settings/workflows/{r}/runs/{run}/",
        "/settings/workflows/templates/",
        "/settings/workflows/templates/new/",
    ],
)
def test_an_admin_opens_every_page(alpha: TenantFixture, rule, path: str):
    with alpha.active():
        run = make_runs(rule, 1)[0]
        WorkflowStepRun.objects.create(run=run, position=0, action_type="create_activity", input={"a": 1}, error="x")

    response = alpha.client().get(path.format(r=rule.pk, run=run.pk))

    assert response.status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(alpha: TenantFixture):
    response = alpha.client(None).get("/settings/workflows/")

    assert (response.status_code, response["Location"].startswith("/login/")) == (302, True)


def test_the_builder_saves_a_new_rule_and_opens_it(alpha: TenantFixture):
    response = alpha.client().post("/settings/workflows/new/", _posted(alpha))

    with alpha.active():
        rule = WorkflowRule.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/settings/workflows/{rule.pk}/"
    assert (rule.name, rule.version, rule.is_active, rule.actions[0]["due_in"]) == (
        "Proposal follow-up", 1, False, {"days": 2, "hours": 0},
    )  # fmt: skip


def test_a_bad_definition_is_shown_with_its_named_errors_and_nothing_is_written(alpha: TenantFixture):
    data = _posted(
        alpha,
        trigger_config={"stage_id": 999999},
        actions=[{"type": "create_activity", "kind": "task", "subject": "", "due_in": {"days": 2}}],
    )
    client = alpha.client()  # signing in touches last_login: before the snapshot
    before = schema_snapshot(alpha.tenant)

    response = client.post("/settings/workflows/new/", data)

    page = response.content.decode()
    assert response.status_code == 400
    assert sorted(response.context["definition_errors"]) == ["actions[0].subject", "trigger_config.stage_id"]
    assert 'data-error-path="actions[0].subject"' in page
    assert json.loads(data["actions"])[0]["due_in"] == {"days": 2}
    assert "&quot;due_in&quot;: {&quot;days&quot;: 2}" in page  # the builder gets back what was sent
    assert schema_snapshot(alpha.tenant) == before


def test_unreadable_json_is_a_400_naming_the_input(alpha: TenantFixture):
    response = alpha.client().post("/settings/workflows/new/", {**_posted(alpha), "actions": "[{oops"})

    with alpha.active():
        assert WorkflowRule.objects.count() == 0
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["actions"]


def test_saving_an_edit_bumps_the_version_and_a_bad_edit_changes_nothing(alpha: TenantFixture, rule):
    client = alpha.client()
    with alpha.active():
        set_rule_active(rule, True, by=None)

    saved = client.post(f"/settings/workflows/{rule.pk}/", _posted(alpha, name="Renamed", conditions={}))
    refused = client.post(f"/settings/workflows/{rule.pk}/", _posted(alpha, name="Broken", actions=[]))

    with alpha.active():
        rule.refresh_from_db()
        assert WorkflowRuleVersion.objects.filter(rule=rule).count() == 2
    assert (saved.status_code, refused.status_code) == (302, 400)
    assert list(refused.context["definition_errors"]) == ["actions"]
    assert (rule.name, rule.version, rule.is_active) == ("Renamed", 2, True)


def test_activate_deactivate_copy_and_delete(alpha: TenantFixture, rule):
    client = alpha.client()

    on = client.post(f"/settings/workflows/{rule.pk}/active/", {"active": "1", "next": "edit"})
    with alpha.active():
        assert WorkflowRule.objects.get(pk=rule.pk).is_active is True
    off = client.post(f"/settings/workflows/{rule.pk}/active/", {"active": "0"})
    with alpha.active():
        assert WorkflowRule.objects.get(pk=rule.pk).is_active is False
    copied = client.post(f"/settings/workflows/{rule.pk}/duplicate/")
    deleted = client.post(f"/settings/workflows/{rule.pk}/delete/")

    with alpha.active():
        assert list(WorkflowRule.objects.values_list("name", "is_active")) == [("Copy of Proposal follow-up", False)]
    assert on["Location"] == f"/settings/workflows/{rule.pk}/"
    assert (off["Location"], deleted["Location"]) == ("/settings/workflows/", "/settings/workflows/")
    assert copied.status_code == 302


def test_activating_a_rule_whose_team_is_gone_is_refused_with_the_reason(alpha: TenantFixture):
    with alpha.active():
        team = Team.objects.get(name="Field sales")
        rule = make_rule(actions=[{"type": "assign_round_robin", "team_id": team.pk}])
        team.delete()

    response = alpha.client().post(f"/settings/workflows/{rule.pk}/active/", {"active": "1"}, follow=True)

    with alpha.active():
        assert WorkflowRule.objects.get(pk=rule.pk).is_active is False
    assert "Action 1 › team id: Choose a team." in response.content.decode()


def test_the_list_shows_last_run_and_recent_runs_in_a_fixed_number_of_queries(
    alpha: TenantFixture, django_assert_max_num_queries
):
    with alpha.active():
        rules = [make_rule(name=f"Rule {n}") for n in range(6)]
        make_runs(rules[0], 3)
    client = alpha.client()

    with django_assert_max_num_queries(12):
        response = client.get("/settings/workflows/")

    listed = {rule.name: (rule.recent_runs, rule.last_run_status) for rule in response.context["rules"]}
    assert listed["Rule 0"] == (3, "succeeded")
    assert listed["Rule 1"] == (0, None)
    assert response.content.decode().count('data-testid="rule-row"') == 6


def _history_queries(alpha: TenantFixture, count: int) -> tuple[int, int]:
    with alpha.active():
        rule = make_rule(name=f"History {count}")
        make_runs(rule, count)
    client = alpha.client()
    client.get("/settings/workflows/")  # the session and the user are loaded once before counting
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/settings/workflows/{rule.pk}/runs/")
    return len(queries), response.content.decode().count('data-testid="run-record"')


def test_run_history_costs_the_same_for_5_and_50_runs(alpha: TenantFixture):
    few, few_rows = _history_queries(alpha, 5)
    many, many_rows = _history_queries(alpha, 50)

    assert (few_rows, many_rows) == (5, 50)
    assert few == many


def test_the_run_page_shows_each_step_log(alpha: TenantFixture, rule):
    with alpha.active():
        run = make_runs(rule, 1)[0]
        WorkflowStepRun.objects.create(
            run=run, position=0, action_type="create_activity", status="failed",
            input={"subject": "Follow up"}, output={}, error="No owner to assign", attempts=3,
        )  # fmt: skip

    response = alpha.client().get(f"/settings/workflows/{rule.pk}/runs/{run.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "No owner to assign" in page
    assert "3 attempts" in page
    assert f'href="/deals/{run.record_id}/"' in page


def test_the_record_picker_finds_visible_records_by_name(alpha: TenantFixture, rule):
    with alpha.active():
        wanted = DealFactory(name="Acme rollout")
        DealFactory(name="Other deal")

    response = alpha.client().get(f"/settings/workflows/{rule.pk}/records/", {"q": "acme"})

    assert response.status_code == 200
    assert response.context["records"] == [{"pk": wanted.pk, "name": "Acme rollout"}]


def test_the_dry_run_shows_the_outcome_and_changes_nothing(alpha: TenantFixture, rule):
    with alpha.active():
        deal = DealFactory(name="Acme rollout", owner=alpha.user())
        activities = Activity.objects.count()
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post(f"/settings/workflows/{rule.pk}/test/", {"record": deal.pk}, HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["result"].matched is True
    assert [item["step"].action_type for item in response.context["steps"]] == ["create_activity"]
    assert 'data-testid="dry-run-result"' in page
    assert "Follow up on the proposal" in page
    with alpha.active():
        assert Activity.objects.count() == activities
    assert schema_snapshot(alpha.tenant) == before


def test_the_dry_run_needs_a_record(alpha: TenantFixture, rule):
    response = alpha.client().post(f"/settings/workflows/{rule.pk}/test/", {"record": "x"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["record"]


def test_templates_are_created_and_bad_placeholders_named(alpha: TenantFixture):
    client = alpha.client()

    created = client.post(
        "/settings/workflows/templates/new/", {"name": "Hello", "subject": "Hi {{ record.name }}", "body": "Hello"}
    )
    refused = client.post(
        "/settings/workflows/templates/new/", {"name": "Bad", "subject": "Hi", "body": "{{ owner.password }}"}
    )

    with alpha.active():
        assert list(EmailTemplate.objects.values_list("name", flat=True)) == ["Hello"]
    assert created.status_code == 302
    assert refused.status_code == 400
    assert "{{ owner.password }}" in refused.context["form"].errors["body"][0]


def test_error_paths_read_as_parts_of_the_rule():
    from customization.workflows.views.rules import error_label

    paths = ("actions[2].due_in.days", "conditions.conditions[0].conditions[1].value", "trigger_config.stage_id")

    labels = [error_label(path) for path in paths]

    assert labels == ["Action 3 › due in › days", "Condition 1 › Condition 2 › value", "Trigger › stage id"]
