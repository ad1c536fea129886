"""Another tenant's admin cannot reach alpha's rules, runs or templates, nor test a rule on
alpha's records."""

from __future__ import annotations

import json

from customization.workflows.models import EmailTemplate, WorkflowRule, WorkflowRun
from customization.workflows.services import create_email_template
from modules.sales.models import Deal
from tests.customization.workflows.ui.conftest import make_rule, make_runs
from tests.factories import DealFactory
from tests.tenancy import TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot


def test_beta_cannot_reach_alphas_rules_runs_and_templates(alpha: TenantFixture, beta: TenantFixture, rule):
    with alpha.active():
        run = make_runs(rule, 1)[0]
        template = create_email_template(name="Hello", subject="Hi", body="Hello")
    with beta.active():
        assert not WorkflowRule.objects.filter(pk=rule.pk).exists()
        assert not WorkflowRun.objects.filter(pk=run.pk).exists()
        assert not EmailTemplate.objects.filter(pk=template.pk).exists()
    r = rule.pk
    edit = {"name": "Stolen", "entity": "deal", "trigger": "record_created", "actions": json.dumps([])}

    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/settings/workflows/{r}/", {}),
            ("post", f"/settings/workflows/{r}/", edit),
            ("post", f"/settings/workflows/{r}/active/", {"active": "1"}),
            ("post", f"/settings/workflows/{r}/duplicate/", {}),
            ("get", f"/settings/workflows/{r}/delete/", {}),
            ("post", f"/settings/workflows/{r}/delete/", {}),
            ("get", f"/settings/workflows/{r}/records/", {"q": ""}),
            ("post", f"/settings/workflows/{r}/test/", {"record": run.record_id}),
            ("get", f"/settings/workflows/{r}/runs/", {}),
            ("get", f"/settings/workflows/{r}/runs/{run.pk}/", {}),
            ("get", f"/settings/workflows/templates/{template.pk}/", {}),
            ("post", f"/settings/workflows/templates/{template.pk}/", {"name": "X", "subject": "X", "body": "X"}),
            ("post", f"/settings/workflows/templates/{template.pk}/delete/", {}),
        ],
    )


def test_beta_lists_only_its_own_rules_and_templates(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        make_rule(name="Alpha rule")
        create_email_template(name="Alpha template", subject="Hi", body="Hello")
    with beta.active():
        make_rule(name="Beta rule")
    client = beta.client()

    rules = client.get("/settings/workflows/")
    templates = client.get("/settings/workflows/templates/")

    assert [rule.name for rule in rules.context["rules"]] == ["Beta rule"]
    assert "Alpha" not in rules.content.decode()
    assert list(templates.context["templates"]) == []


def test_a_dry_run_on_a_record_of_another_tenant_is_a_404(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        deal = DealFactory(name="Alpha secret deal")
    with beta.active():
        beta_rule = make_rule(name="Beta rule")
        assert not Deal.objects.filter(pk=deal.pk).exists()
    client = beta.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post(f"/settings/workflows/{beta_rule.pk}/test/", {"record": deal.pk})
    search = client.get(f"/settings/workflows/{beta_rule.pk}/records/", {"q": "Alpha secret"})

    assert response.status_code == 404
    assert search.context["records"] == []
    assert schema_snapshot(alpha.tenant) == before
