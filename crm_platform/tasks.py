"""Celery tasks of the platform itself (they run in the public schema)."""

from celery import shared_task
from celery.signals import task_failure, task_retry, task_success

from crm_platform.metrics import count, snapshot_fleet


@shared_task(acks_late=True)
def snapshot_fleet_metrics() -> int:
    """Keep the fleet's outbox and migration figures for Prometheus scrapes (beat, every minute)."""
    return int(snapshot_fleet()["tenants"])


def _task_name(sender: object) -> str:
    return str(getattr(sender, "name", "") or "unknown")


@task_success.connect
def _count_success(sender: object = None, **_kwargs: object) -> None:
    count("celery_tasks", task=_task_name(sender), outcome="succeeded")


@task_failure.connect
def _count_failure(sender: object = None, **_kwargs: object) -> None:
    count("celery_tasks", task=_task_name(sender), outcome="failed")


@task_retry.connect
def _count_retry(sender: object = None, **_kwargs: object) -> None:
    count("celery_tasks", task=_task_name(sender), outcome="retried")
