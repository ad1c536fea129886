"""The clock tasks: runs a worker lost, waits that are over and pending runs the broker lost are
found again; date rules fire per tenant; nothing runs without a tenant."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from customization.workflows.models import WorkflowRun
from customization.workflows.tasks import due_run_ids, fire_workflow_date_rules, resume_workflow_runs, run_workflow
from modules.sales.services.deals import create_deal
from tests.customization.workflows.engine.conftest import make_rule
from tests.factories import DealFactory
from tests.tenancy import TenantFixture


def _run(rule, record_id: int, key: str, **values: object) -> WorkflowRun:  # type: ignore[no-untyped-def]
    return WorkflowRun.objects.create(
        rule=rule, version=1, trigger_key=key, entity="deal", record_id=record_id, **values
    )


def test_due_runs_are_lost_leases_finished_waits_and_forgotten_pending_runs(alpha: TenantFixture) -> None:
    with alpha.active():
        rule = make_rule()
        deal = DealFactory()
        now = timezone.now()
        lost = _run(rule, deal.pk, "lost", status="running", lease_until=now - timedelta(seconds=1))
        held = _run(rule, deal.pk, "held", status="running", lease_until=now + timedelta(minutes=1))
        waited = _run(rule, deal.pk, "waited", status="waiting", resume_at=now - timedelta(seconds=1))
        _run(rule, deal.pk, "waiting", status="waiting", resume_at=now + timedelta(hours=1))
        forgotten = _run(rule, deal.pk, "forgotten", status="pending")
        WorkflowRun.objects.filter(pk=forgotten.pk).update(created_at=now - timedelta(minutes=5))
        _run(rule, deal.pk, "fresh", status="pending")
        _run(rule, deal.pk, "done", status="succeeded")

        assert due_run_ids() == [lost.pk, waited.pk, forgotten.pk]
        assert held.pk not in due_run_ids()


def test_the_resume_task_finishes_a_forgotten_run(alpha: TenantFixture) -> None:
    with alpha.active():
        rule = make_rule(actions=[{"type": "update_field", "field": "description", "value": "resumed"}])
        deal = DealFactory()
        run = _run(rule, deal.pk, "forgotten", status="pending")
        WorkflowRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(minutes=5))

        assert resume_workflow_runs() == 1
        assert run_workflow(run.pk) == "succeeded"

        deal.refresh_from_db()
        assert deal.description == "resumed"


def test_tasks_without_a_tenant_do_nothing(alpha: TenantFixture) -> None:
    with alpha.active():
        rule = make_rule(actions=[{"type": "create_activity", "kind": "task", "subject": "No tenant"}])
        create_deal(by=None, name="Public")
        from customization.events.dispatcher import dispatch_pending

        dispatch_pending()
        run_id = WorkflowRun.objects.get(rule=rule).pk
    connection.set_schema_to_public()

    assert run_workflow(run_id) is None
    assert resume_workflow_runs() == 0
    assert fire_workflow_date_rules() == 0
    with alpha.active():
        assert WorkflowRun.objects.get(pk=run_id).status == "pending"


def test_the_date_task_fires_in_each_tenant_for_its_own_rules(alpha: TenantFixture, beta: TenantFixture) -> None:
    today = timezone.localdate()
    with alpha.active():
        rule = make_rule(trigger="date_reached", trigger_config={"field": "expected_close_date", "offset_days": 0})
        deal = DealFactory(expected_close_date=today)
    with beta.active():
        DealFactory(expected_close_date=today)

        assert fire_workflow_date_rules() == 0
    with alpha.active():
        assert fire_workflow_date_rules() == 1
        assert list(WorkflowRun.objects.filter(rule=rule).values_list("record_id", flat=True)) == [deal.pk]


def test_beat_runs_the_workflow_clock_tasks() -> None:
    from crm_platform.celery import app

    resume = app.conf.beat_schedule["workflows-resume-runs"]
    dates = app.conf.beat_schedule["workflows-date-rules"]

    assert (resume["task"], resume["schedule"]) == ("customization.workflows.tasks.resume_all_workflow_runs", 30.0)
    assert (dates["task"], dates["schedule"]) == ("customization.workflows.tasks.fire_all_date_rules", 3600.0)
    assert resume["task"] in app.tasks
    assert dates["task"] in app.tasks
