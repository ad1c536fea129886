"""The shared refresh of the analyses: asks pile into one row per tenant and analysis, beat's sweep
queues a run in the schema of each tenant with one due, and one run per tenant and analysis at a
time, however many workers take it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from modules.analytics.refresh import services
from modules.analytics.refresh.models import RefreshDue
from modules.analytics.refresh.services import AnalysisRefresh, ask_for_refresh, refresh_soon, run_due, run_if_due
from modules.analytics.refresh.tasks import run_due_analyses, sweep_due_analyses
from tests.tenancy import TenantFixture

KEY = "test-analysis"


def register(monkeypatch, run) -> None:
    monkeypatch.setitem(services._ANALYSES, KEY, AnalysisRefresh(key=KEY, run=run, delay=timedelta(minutes=3)))


@pytest.fixture
def runs(monkeypatch) -> list[str]:
    """A registered analysis that records the schema of each run."""
    ran: list[str] = []
    register(monkeypatch, lambda: ran.append(connection.schema_name))
    return ran


def test_asks_ride_along_until_the_first_is_due_and_the_run_removes_the_row(alpha: TenantFixture, runs):
    with alpha.active():
        ask_for_refresh(KEY)
        first = RefreshDue.objects.get(tenant=alpha.tenant, analysis=KEY)
        ask_for_refresh(KEY)
        again = RefreshDue.objects.get(tenant=alpha.tenant, analysis=KEY)

        assert again.due_at == first.due_at
        assert again.asked_at >= first.asked_at
        assert KEY not in run_due()
        assert runs == []

        assert KEY in run_due(now=first.due_at)

        assert runs == [alpha.tenant.schema_name]
        assert not RefreshDue.objects.filter(tenant=alpha.tenant, analysis=KEY).exists()


def test_a_tenant_runs_only_its_own_due_analyses(alpha: TenantFixture, beta: TenantFixture, runs):
    with alpha.active():
        refresh_soon(KEY)
    with beta.active():
        assert run_if_due(KEY) is False
    assert runs == []
    with alpha.active():
        assert run_if_due(KEY) is True
    assert runs == [alpha.tenant.schema_name]


def test_an_ask_while_it_runs_keeps_the_row_for_the_next_sweep(alpha: TenantFixture, monkeypatch):
    def run_and_change() -> None:
        ask_for_refresh(KEY)  # an order changed while the analysis read the orders

    register(monkeypatch, run_and_change)
    with alpha.active():
        refresh_soon(KEY)

        assert run_if_due(KEY)

        assert RefreshDue.objects.filter(tenant=alpha.tenant, analysis=KEY).exists()


def test_a_failed_run_is_due_again_after_the_delay(alpha: TenantFixture, monkeypatch):
    def fail() -> None:
        raise RuntimeError("the analysis failed")

    register(monkeypatch, fail)
    with alpha.active():
        refresh_soon(KEY)
        with pytest.raises(RuntimeError):
            run_if_due(KEY)

        due = RefreshDue.objects.get(tenant=alpha.tenant, analysis=KEY)
        assert due.due_at > timezone.now() + timedelta(minutes=2)


def test_a_second_worker_does_not_run_an_analysis_another_is_running(alpha: TenantFixture, runs):
    """The other worker is another database session holding the run's lock."""
    taken, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with services._run_lock(alpha.tenant.pk, KEY) as held:
                assert held
                taken.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert taken.wait(timeout=30)
        with alpha.active():
            refresh_soon(KEY)
            assert run_if_due(KEY) is False
            assert runs == []
            assert RefreshDue.objects.filter(tenant=alpha.tenant, analysis=KEY).exists()
    finally:
        release.set()
        thread.join(timeout=30)
    with alpha.active():
        assert run_if_due(KEY) is True
    assert runs == [alpha.tenant.schema_name]


def test_a_refresh_asked_for_now_is_queued_once_committed(
    alpha: TenantFixture, runs, django_capture_on_commit_callbacks
):
    with alpha.active(), django_capture_on_commit_callbacks() as callbacks:
        refresh_soon(KEY)

    assert len(callbacks) == 1
    assert callbacks[0].__self__.name == run_due_analyses.name  # type: ignore[attr-defined]


def test_the_sweep_queues_a_run_in_each_tenant_with_an_analysis_due(
    alpha: TenantFixture, beta: TenantFixture, runs, monkeypatch
):
    from crm_platform.celery import app

    queued: list[str] = []
    monkeypatch.setattr(run_due_analyses, "apply_async", lambda **_options: queued.append(connection.schema_name))
    with alpha.active():
        refresh_soon(KEY)
    with beta.active():
        ask_for_refresh(KEY)  # due in three minutes

    sweep_due_analyses()

    assert app.conf.beat_schedule["analytics-run-due"]["task"] == sweep_due_analyses.name
    assert alpha.tenant.schema_name in queued
    assert beta.tenant.schema_name not in queued
    assert queued.count(alpha.tenant.schema_name) == 1


def test_the_per_tenant_task_runs_nothing_without_a_tenant(alpha: TenantFixture, runs):
    with alpha.active():
        refresh_soon(KEY)
    connection.set_schema_to_public()

    assert run_due_analyses.apply().get() == []
    assert runs == []
