"""What a tenant uses of its plan's limits: seats, records, API requests today, storage, workflow
runs and marketing e-mails this month.

``usage_for`` counts in the tenant's schema (it switches there itself, so the console can call it
from the public schema) and remembers the figures for a minute. Enforcement reads exact figures
instead: the API's rate limit middleware counts requests per UTC day in Redis (under
``api_requests_key``), the workflow engine asks ``workflow_run_limit_reached`` before a run, and
a marketing send asks ``marketing_email_allowance`` before it starts.
Records and storage are only counted and shown.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import redis
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import tenant_context
from redis.backoff import NoBackoff
from redis.retry import Retry

from billing.entitlements import Entitlements, entitlements_for, forget_subscription
from customization.workflows.choices import RunStatus
from customization.workflows.models import WorkflowRun
from identity.models import User
from modules.registry import MODULES
from tenants.models import Tenant

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60
# At this share of a limit the page warns.
WARNING_PERCENT = 90


@dataclass(frozen=True)
class Usage:
    seats: int
    records: int
    api_requests_today: int
    storage_bytes: int
    workflow_runs_this_month: int
    marketing_emails_this_month: int = 0


def api_requests_key(schema_name: str, day: date) -> str:
    """The Redis key counting the tenant's API requests on ``day`` (UTC). The schema in braces keeps
    it in the slot of the tenant's rate limit keys (one script touches them all)."""
    return f"apiusage:{{{schema_name}}}:{day.isoformat()}"


def month_start(tenant: Tenant, now: datetime | None = None) -> datetime:
    """Midnight of the first of the current month in the tenant's time zone (UTC if it has none)."""
    try:
        zone = ZoneInfo(tenant.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = (now or timezone.now()).astimezone(zone)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def workflow_runs_since(start: datetime) -> int:
    """Runs of the current schema started since ``start``: skipped runs and dry runs did not run."""
    return WorkflowRun.objects.filter(created_at__gte=start, dry_run=False).exclude(status=RunStatus.SKIPPED).count()


def workflow_run_allowance(tenant: Tenant, now: datetime | None = None) -> tuple[int, int] | None:
    """``(limit, used)`` of the plan's monthly workflow runs for the tenant (the current schema's),
    or None without a limit. Reads the subscription afresh: a worker may hold the tenant object for
    longer than a plan lasts."""
    forget_subscription(tenant)
    limit = entitlements_for(tenant).workflow_runs_per_month
    if limit is None:
        return None
    return limit, workflow_runs_since(month_start(tenant, now))


def workflow_run_limit_reached(tenant: Tenant, now: datetime | None = None) -> int | None:
    """The plan's monthly run limit when the tenant (the current schema's) has reached it, else None."""
    allowance = workflow_run_allowance(tenant, now)
    if allowance is None or allowance[1] < allowance[0]:
        return None
    return allowance[0]


# Monthly counts that modules bring, by key (``register_monthly_count``): billing counts what they
# register without importing them. The marketing module registers ``marketing_emails``.
_MONTHLY_COUNTS: dict[str, Callable[[datetime], int]] = {}


def register_monthly_count(key: str, count: Callable[[datetime], int]) -> None:
    _MONTHLY_COUNTS[key] = count


def marketing_emails_since(start: datetime) -> int:
    """Marketing messages of the current schema handed over since ``start`` plus those waiting to
    go (queued, held for an A/B winner, being sent): what a new send adds to."""
    count = _MONTHLY_COUNTS.get("marketing_emails")
    return count(start) if count is not None else 0


def marketing_email_allowance(tenant: Tenant, now: datetime | None = None) -> tuple[int, int] | None:
    """``(limit, used)`` of the plan's monthly marketing e-mails for the tenant (the current
    schema's), or None without a limit. Reads the subscription afresh, as the run limit does."""
    forget_subscription(tenant)
    limit = entitlements_for(tenant).marketing_emails_per_month
    if limit is None:
        return None
    return limit, marketing_emails_since(month_start(tenant, now))


def usage_for(tenant: Tenant) -> Usage:
    """The tenant's usage, counted at most once a minute."""
    key = f"billing:usage:{tenant.schema_name}"
    try:
        cached = cache.get(key)
    except Exception:
        logger.warning("cache unavailable; counting usage", exc_info=True)
        return count_usage(tenant)
    if isinstance(cached, dict):
        return Usage(**cached)
    usage = count_usage(tenant)
    try:
        cache.set(key, asdict(usage), timeout=CACHE_SECONDS)
    except Exception:
        logger.warning("cache unavailable; usage not remembered", exc_info=True)
    return usage


def count_usage(tenant: Tenant) -> Usage:
    """The tenant's usage now, counted in its schema."""
    with tenant_context(tenant):
        return Usage(
            seats=User.objects.filter(is_active=True).count(),
            records=_count_records(),
            api_requests_today=api_requests_today(tenant.schema_name),
            storage_bytes=_database_bytes(tenant.schema_name) + _file_bytes(tenant.schema_name),
            workflow_runs_this_month=workflow_runs_since(month_start(tenant)),
            marketing_emails_this_month=marketing_emails_since(month_start(tenant)),
        )


def record_models() -> tuple[type[models.Model], ...]:
    """The models a plan's record limit counts: what every module lists as ``counted_records``,
    whether or not the tenant has the module (records stay when a plan drops a module)."""
    return tuple(apps.get_model(label) for module in MODULES for label in module.counted_records)


def _count_records() -> int:
    quote = connection.ops.quote_name
    # Table names come from the models, not from input.
    counts = " + ".join(f"(SELECT count(*) FROM {quote(model._meta.db_table)})" for model in record_models())  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _database_bytes(schema_name: str) -> int:
    """The schema's tables with their indexes and TOAST data."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind IN ('r', 'm')",
            [schema_name],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _file_bytes(schema_name: str) -> int:
    """The tenant's private files: ``PRIVATE_FILES_ROOT/<kind>/<schema>/`` (imports, exports …)."""
    root = Path(settings.PRIVATE_FILES_ROOT)
    if not root.is_dir():
        return 0
    total = 0
    for kind in root.iterdir():
        folder = kind / schema_name
        if not folder.is_dir():
            continue
        for directory, _dirs, files in os.walk(folder):
            for name in files:
                try:
                    total += (Path(directory) / name).stat().st_size
                except OSError:  # removed while we walked
                    continue
    return total


_lock = threading.Lock()
_client: redis.Redis | None = None


def _redis() -> redis.Redis:
    """The cache's Redis (where the API counts requests), failing fast like the rate limits do."""
    global _client
    with _lock:
        if _client is None:
            _client = redis.Redis.from_url(
                str(settings.CACHES["default"]["LOCATION"]),
                socket_timeout=0.5,
                socket_connect_timeout=0.5,
                retry=Retry(NoBackoff(), 0),
            )
        return _client


def api_requests_today(schema_name: str) -> int:
    """The tenant's API requests so far on this UTC day; 0 when Redis cannot be reached."""
    day = timezone.now().astimezone(ZoneInfo("UTC")).date()
    try:
        value = _redis().get(api_requests_key(schema_name, day))
    except redis.RedisError:
        logger.warning("API request counter unavailable", exc_info=True)
        return 0
    return int(value) if value else 0  # type: ignore[arg-type]


@dataclass(frozen=True)
class UsageRow:
    """One usage figure against its limit, for a page."""

    key: str
    label: str | Promise
    used: int
    limit: int | None
    in_bytes: bool = False

    @property
    def percent(self) -> int | None:
        if self.limit is None:
            return None
        if self.limit == 0:
            return 100 if self.used == 0 else 999
        return self.used * 100 // self.limit

    @property
    def bar_percent(self) -> int:
        return min(self.percent or 0, 100)

    @property
    def level(self) -> str:
        """``ok``, ``near`` (≥ 90 %), ``full`` (at the limit) or ``over`` (past it)."""
        if self.limit is None:
            return "ok"
        if self.used > self.limit:
            return "over"
        if self.used == self.limit:
            return "full"
        return "near" if (self.percent or 0) >= WARNING_PERCENT else "ok"


def usage_rows(tenant: Tenant, entitlements: Entitlements | None = None) -> list[UsageRow]:
    """The tenant's usage paired with its limits, in the order pages show them."""
    usage = usage_for(tenant)
    limits = entitlements or entitlements_for(tenant)
    rows = [
        UsageRow("seats", _("Seats (active users)"), usage.seats, limits.seat_limit),
        UsageRow("records", _("Records"), usage.records, limits.record_limit),
        UsageRow("api_requests", _("API requests today"), usage.api_requests_today, limits.api_requests_per_day),
        UsageRow("storage", _("Storage"), usage.storage_bytes, limits.storage_limit_bytes, in_bytes=True),
        UsageRow(
            "workflow_runs", _("Workflow runs this month"), usage.workflow_runs_this_month,
            limits.workflow_runs_per_month,
        ),
    ]  # fmt: skip
    if "marketing" in limits.modules:
        rows.append(
            UsageRow(
                "marketing_emails", _("Marketing e-mails this month"), usage.marketing_emails_this_month,
                limits.marketing_emails_per_month,
            )
        )  # fmt: skip
    return rows


def forget_usage(tenant: Tenant) -> None:
    """Drop the remembered figures (after a change the page should show at once)."""
    try:
        cache.delete(f"billing:usage:{tenant.schema_name}")
    except Exception:
        logger.warning("cache unavailable; usage not forgotten", exc_info=True)
