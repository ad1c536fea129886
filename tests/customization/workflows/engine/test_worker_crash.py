"""A worker killed in the middle of a step: the next worker takes the run over once the lease has
expired and runs the step again, with the same idempotency key, so the effect happens once."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest
from django.utils import timezone

from customization.workflows.models import WorkflowRule, WorkflowRun
from customization.workflows.tasks import due_run_ids, resume_workflow_runs
from modules.sales.services.deals import create_deal
from tests import processes
from tests.customization.workflows.engine.conftest import Receiver
from tests.processes import start_celery_worker, stop, wait_until
from tests.tenancy import TenantFixture

LEASE_SECONDS = 3


@pytest.mark.worker
def test_a_killed_worker_s_step_is_run_again_without_a_second_effect(
    committed_alpha: TenantFixture, receiver: Receiver, tmp_path: Path
) -> None:
    receiver.block = threading.Event()
    environment = {**processes.test_process_environment(tmp_path), "WORKFLOW_LEASE_SECONDS": str(LEASE_SECONDS)}
    with committed_alpha.active():
        rule = WorkflowRule.objects.create(
            name="Committed webhook rule", entity="deal", trigger="record_created", is_active=True,
            actions=[{"type": "http_request", "url": receiver.url}],
        )  # fmt: skip
    first = start_celery_worker(environment, tmp_path / "first.log")
    second = None
    try:
        with committed_alpha.active():
            deal = create_deal(by=None, name="Committed crash deal")
        wait_until(lambda: len(receiver.requests) == 1, timeout=60, what="the first request")

        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        receiver.block.set()  # the receiver finishes its (now unanswered) first request
        receiver.block = None
        with committed_alpha.active():
            run = WorkflowRun.objects.get(rule=rule)
            assert (run.status, run.next_step) == ("running", 0)
            assert run.steps.get().attempts == 1
            wait_until(lambda: run.pk in due_run_ids(), timeout=LEASE_SECONDS + 60, what="the lease to expire")
            assert run.pk in due_run_ids()

        second = start_celery_worker(environment, tmp_path / "second.log")
        with committed_alpha.active():
            resume_workflow_runs.apply_async()  # what beat queues every 30 s

            def finished() -> bool:
                run.refresh_from_db()
                return run.status == "succeeded"

            wait_until(finished, timeout=60, what="the run to finish")
            step = run.steps.get()
            assert (step.status, step.attempts, step.error) == ("succeeded", 2, "")
            assert run.attempts == 2
            assert run.finished_at is not None
            assert run.finished_at <= timezone.now()
        # Two deliveries of one step under one key: the receiver applies it once.
        keys = [request["headers"]["Idempotency-Key"] for request in receiver.requests]
        assert keys == [str(step.pk), str(step.pk)]
        assert receiver.requests[0]["json"]["record"]["id"] == deal.pk
    finally:
        if first.poll() is None:
            stop(first)
        if second is not None:
            stop(second)
