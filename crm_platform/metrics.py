"""Prometheus metrics at ``/metrics`` (bearer token ``METRICS_TOKEN``; off without one).

- Requests by view, method and status and their latency: django-prometheus's middleware. Its
  labels are URL names, methods and status codes — bounded, never a host, tenant or path.
- Counters every process adds to (Celery task outcomes by task name, webhook delivery outcomes)
  live in one Redis hash (``count``), so web, workers and restarts add up to one total.
- Gauges read when scraped: Celery queue lengths (``LLEN`` on the broker), tenants by status and
  provisioning state, tenants by migration state (one ``GROUP BY`` on the public tenants table).
- Fleet gauges that cost a pass over every schema (outbox backlog and lag, tenants behind on
  migrations) come from a snapshot a beat task writes every minute (``snapshot_fleet``), never
  from the scrape itself; its age is exported too.

No metric carries a tenant label: with thousands of tenants that would be thousands of series per
metric. Per-tenant figures are on the console's fleet page.

gunicorn runs several processes: ``PROMETHEUS_MULTIPROC_DIR`` (set by ``infra/gunicorn.conf.py``)
makes prometheus_client aggregate their request metrics.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from typing import Any

import redis
from django.conf import settings
from django.db.models import Count
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

COUNTERS_KEY = "relata:metrics:counters"
SNAPSHOT_KEY = "relata:metrics:fleet"
# Label values are code names (task names, outcomes); anything longer is not one.
MAX_LABEL_CHARS = 120

COUNTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "celery_tasks": ("Celery tasks finished, by task and outcome (succeeded, failed, retried).", ("task", "outcome")),
    "webhook_deliveries": ("Webhook delivery attempts by outcome (succeeded, retrying, failed).", ("outcome",)),
}


def _client() -> redis.Redis:
    # Fail fast, no retries: a scrape or a request never waits on a Redis that is down.
    return redis.Redis.from_url(
        str(settings.CACHES["default"]["LOCATION"]), socket_timeout=0.5, socket_connect_timeout=0.5,
        retry=Retry(NoBackoff(), 0),
    )  # fmt: skip


def count(name: str, **labels: str) -> None:
    """Add one to counter ``name`` (one of ``COUNTERS``) with ``labels``; never raises."""
    _help, names = COUNTERS[name]
    values = [str(labels[label])[:MAX_LABEL_CHARS] for label in names]
    try:
        _client().hincrby(COUNTERS_KEY, json.dumps([name, values]), 1)
    except redis.RedisError:
        logger.warning("metrics: Redis cannot be reached; %s not counted", name)


def snapshot_fleet() -> dict[str, Any]:
    """Compute the fleet gauges (a pass over every served schema) and keep them for scrapes."""
    from django.utils import timezone

    from crm_platform.console.fleet import schema_health
    from tenants.services.fleet import served_tenants

    schemas = list(served_tenants().values_list("schema_name", flat=True))
    health = schema_health(schemas)
    now = timezone.now()
    oldest = [item.outbox_oldest_at for item in health.values() if item.outbox_oldest_at]
    snapshot = {
        "taken_at": time.time(),
        "outbox_pending": sum(item.outbox_pending for item in health.values()),
        "outbox_oldest_age": max(((now - at).total_seconds() for at in oldest), default=0.0),
        "behind": sum(1 for item in health.values() if item.pending_migrations or not item.exists),
        "tenants": len(schemas),
    }
    try:
        _client().set(SNAPSHOT_KEY, json.dumps(snapshot))
    except redis.RedisError:
        logger.warning("metrics: Redis cannot be reached; the fleet snapshot is not kept")
    return snapshot


class PlatformCollector(Collector):
    """The platform's own metrics, read when scraped."""

    def collect(self) -> Iterator[Metric]:
        yield from self._counters()
        yield from self._queues()
        yield from self._tenants()
        yield from self._fleet()

    def _counters(self) -> Iterator[Metric]:
        families = {
            name: CounterMetricFamily(f"relata_{name}", text, labels=list(labels))
            for name, (text, labels) in COUNTERS.items()
        }
        try:
            stored = _client().hgetall(COUNTERS_KEY)
        except redis.RedisError:
            stored = {}
        for key, value in sorted(stored.items()):
            try:
                name, labels = json.loads(key)
                families[name].add_metric([str(label) for label in labels], int(value))
            except (ValueError, KeyError, TypeError):
                continue  # a key of an older version: skipped, not an error
        yield from families.values()

    def _queues(self) -> Iterator[Metric]:
        from crm_platform.console.fleet import queue_depths

        family = GaugeMetricFamily(
            "relata_celery_queue_length", "Tasks waiting in each Celery queue.", labels=["queue"]
        )
        for queue in queue_depths() or ():
            family.add_metric([queue.name], queue.depth)
        yield family

    def _tenants(self) -> Iterator[Metric]:
        from tenants.models import Tenant

        by_state = GaugeMetricFamily(
            "relata_tenants", "Tenants by subscription status and provisioning state.",
            labels=["status", "provisioning_state"],
        )  # fmt: skip
        rows = (
            Tenant.objects.exclude(schema_name="public").values("status", "provisioning_state").annotate(n=Count("id"))
        )
        for row in rows.order_by("status", "provisioning_state"):
            by_state.add_metric([row["status"], row["provisioning_state"]], row["n"])
        yield by_state
        migrations = GaugeMetricFamily(
            "relata_tenant_migrations", "Tenants by the state of their last schema migration.", labels=["state"]
        )
        for row in (
            Tenant.objects.exclude(schema_name="public")
            .values("migration_state")
            .annotate(n=Count("id"))
            .order_by("migration_state")
        ):
            migrations.add_metric([row["migration_state"]], row["n"])
        yield migrations

    def _fleet(self) -> Iterator[Metric]:
        try:
            raw = _client().get(SNAPSHOT_KEY)
        except redis.RedisError:
            raw = None
        if not raw:
            return
        snapshot = json.loads(raw)
        gauges = (
            ("relata_outbox_pending_events", "Events not yet published, all tenants.", snapshot["outbox_pending"]),
            ("relata_outbox_oldest_event_age_seconds", "Age of the oldest unpublished event of any tenant.",
             snapshot["outbox_oldest_age"]),
            ("relata_tenants_behind_migrations", "Served tenants with unapplied migrations.", snapshot["behind"]),
            ("relata_fleet_snapshot_age_seconds", "How old the fleet figures above are.",
             max(0.0, time.time() - snapshot["taken_at"])),
        )  # fmt: skip
        for name, text, value in gauges:
            yield GaugeMetricFamily(name, text, value=value)


_PLATFORM = CollectorRegistry(auto_describe=False)
_PLATFORM.register(PlatformCollector())


def exposition() -> bytes:
    """The text exposition of every metric: this process's (or, under gunicorn, all its
    processes') request metrics, then the platform's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)  # type: ignore[no-untyped-call]
        requests = generate_latest(processes)
    else:
        requests = generate_latest(REGISTRY)
    return requests + generate_latest(_PLATFORM)
