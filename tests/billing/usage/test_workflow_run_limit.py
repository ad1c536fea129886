"""A plan's workflow runs per month: at the limit an event gets a skipped run that says why;
skipped runs do not count; another tenant is not affected."""

from __future__ import annotations

from billing.services.subscriptions import update_subscription
from customization.events.dispatcher import dispatch_pending
from customization.workflows.models import WorkflowRule, WorkflowRun
from modules.contacts.services.contacts import create_contact
from tests.billing.usage.conftest import subscribe
from tests.customization.workflows.engine.conftest import make_rule
from tests.tenancy import TenantFixture

REASON = "The plan's limit of 2 workflow runs this month is reached."


def _three_contacts_created(fixture: TenantFixture) -> list[tuple[str, str]]:
    with fixture.active():
        WorkflowRule.objects.update(is_active=False)  # only this call's rule runs
        rule = make_rule(entity="contact", trigger="record_created", actions=[])
        for name in ("Ana", "Bogdan", "Cezar"):
            create_contact(by=fixture.user(), first_name=name, last_name="Pop", allow_duplicate=True)
        dispatch_pending()
        return list(WorkflowRun.objects.filter(rule=rule).order_by("id").values_list("status", "message"))


def test_the_run_past_the_monthly_limit_is_skipped_with_the_reason(alpha: TenantFixture, beta: TenantFixture) -> None:
    subscribe(alpha, workflow_runs_per_month=2)
    subscribe(beta)

    alpha_runs = _three_contacts_created(alpha)
    beta_runs = _three_contacts_created(beta)

    assert alpha_runs == [("pending", ""), ("pending", ""), ("skipped", REASON)]
    assert beta_runs == [("pending", ""), ("pending", ""), ("pending", "")]


def test_a_tenant_without_a_plan_has_no_monthly_limit(alpha: TenantFixture) -> None:
    assert [status for status, _message in _three_contacts_created(alpha)] == ["pending"] * 3


def test_a_raised_limit_lets_runs_start_again(alpha: TenantFixture) -> None:
    subscription = subscribe(alpha, workflow_runs_per_month=1)
    first = _three_contacts_created(alpha)
    update_subscription(subscription, actor="test", limit_overrides={"workflow_runs_per_month": 5})
    second = _three_contacts_created(alpha)

    assert [status for status, _message in first] == ["pending", "skipped", "skipped"]
    assert first[1][1] == "The plan's limit of 1 workflow run this month is reached."
    # Two skipped runs did not count: 1 + 3 of 5.
    assert [status for status, _message in second] == ["pending"] * 3
