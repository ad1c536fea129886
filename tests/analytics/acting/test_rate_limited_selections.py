"""A selection larger than the workspace's runs per minute is not cut short by the rate limit: the
batch stops at the first record the minute has no room for, and that record and the rest start
once the minute is over. Nothing is logged as skipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.core.cache import cache
from django.utils import timezone

from customization.workflows import selections
from customization.workflows.models import SelectionRun, WorkflowRun
from customization.workflows.selections import start_next_batch, start_on_selection
from modules.activities.models import Activity
from tests.analytics.acting.conftest import SUBJECT, finish, selection_rule
from tests.api.access.helpers import bearer_client, issue_key
from tests.factories import CompanyFactory
from tests.tenancy import TenantFixture

# A minute no other test counts runs in (the limit's counter lives in Redis, per tenant and minute).
MOMENT = datetime(2031, 5, 17, 9, 13, 20, tzinfo=UTC)


def test_records_over_the_minutes_budget_start_in_the_next_minute(
    alpha: TenantFixture, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.WORKFLOW_RUNS_PER_MINUTE = 2
    queued: list[int] = []
    monkeypatch.setattr(selections, "_queue", lambda selection_id, countdown=0: queued.append(countdown))
    # The runs are executed in-process below (``finish``), not sent to a broker.
    monkeypatch.setattr(selections, "queue_runs", lambda run_ids: list(run_ids))
    with alpha.active():
        made = [CompanyFactory(owner=alpha.user()) for _n in range(3)]
        rule = selection_rule(alpha.user())
        selection = start_on_selection(
            rule=rule, entity="company", record_ids=[company.pk for company in made], by=alpha.user(), label="Three"
        )
        try:
            with time_machine.travel(MOMENT, tick=False), django_capture_on_commit_callbacks(execute=True):
                assert start_next_batch(selection.pk) is True
                selection.refresh_from_db()
                assert (selection.status, selection.started, selection.not_started) == ("waiting", 2, 0)
                assert selection.resumes_at == MOMENT + timedelta(seconds=41)
                assert not WorkflowRun.objects.filter(rule=rule, status="skipped").exists()
            # The next batch waits for the next minute (one second past it), not the usual pause.
            assert queued == [41]
            # Whoever follows it reads that it waits and until when (the tenant's zone, UTC).
            with timezone.override(UTC):
                assert selection.status_text == "Waiting for the rate limit (resumes at 09:14)"
            page = alpha.client().get(f"/analytics/act/{selection.pk}/")
            assert "Waiting for the rate limit (resumes at" in page.content.decode()
            _key, token = issue_key(alpha, scopes=("analytics:read",))
            followed = bearer_client(alpha, token).get(f"/api/v1/analytics/workflow-selections/{selection.pk}/").json()
            assert (followed["status"], followed["resumes_at"]) == ("waiting", "2031-05-17T09:14:01+00:00")
            assert followed["status_text"].startswith("Waiting for the rate limit (resumes at ")

            with time_machine.travel(MOMENT + timedelta(seconds=41), tick=False):
                assert start_next_batch(selection.pk) is False
            selection = SelectionRun.objects.get(pk=selection.pk)
            assert (selection.status, selection.started, selection.not_started) == ("started", 3, 0)
            assert selection.resumes_at is None
            finish(selection)
            assert set(WorkflowRun.objects.filter(rule=rule).values_list("status", flat=True)) == {"succeeded"}
            called = Activity.objects.filter(subject=SUBJECT).values_list("company_id", flat=True)
            assert sorted(called) == sorted(company.pk for company in made)
        finally:
            for minute in (MOMENT, MOMENT + timedelta(seconds=41)):
                cache.delete(f"workflows:runs:{int(minute.timestamp() // 60)}")
