"""Starting runs: one per rule and trigger key (the event id, or ``date:<record>:<value>``), so a
trigger offered twice starts one run. Loop protection, the plan's monthly run limit and the
tenant's rate limit decide here whether a run starts or is logged as skipped."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.usage import workflow_run_limit_reached
from customization.events.models import DomainEvent
from customization.workflows.choices import RunStatus
from customization.workflows.limits import max_depth, runs_per_minute, take_run_slot
from customization.workflows.models import WorkflowRule, WorkflowRun
from tenants.models import Tenant

logger = logging.getLogger(__name__)


def _current_tenant() -> Tenant | None:
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return tenant
    schema_name = getattr(connection, "schema_name", "public")
    return None if schema_name == "public" else Tenant.objects.filter(schema_name=schema_name).first()


class RateLimited(Exception):
    """The workspace's runs of this minute are spent, and the caller said it would rather wait
    (a selection's batch) than have the run logged as skipped."""


def _skip_reason(depth: int, *, wait_for_slot: bool = False) -> str:
    if depth >= max_depth():
        return _("Stopped: this rule was triggered by workflow actions %(depth)d levels deep.") % {"depth": depth}
    # Before the per-minute slot: a run the plan refuses spends nothing of the minute's budget.
    tenant = _current_tenant()
    monthly_limit = workflow_run_limit_reached(tenant) if tenant is not None else None
    if monthly_limit is not None:
        return ngettext(
            "The plan's limit of %(limit)d workflow run this month is reached.",
            "The plan's limit of %(limit)d workflow runs this month is reached.",
            monthly_limit,
        ) % {"limit": monthly_limit}
    if not take_run_slot():
        if wait_for_slot:
            raise RateLimited
        return _("Skipped: this workspace started more than %(limit)d workflow runs this minute (rate limit).") % {
            "limit": runs_per_minute()
        }
    return ""


def start_run(
    rule: WorkflowRule,
    *,
    trigger_key: str,
    record_id: int,
    event: DomainEvent | None = None,
    depth: int = 0,
    wait_for_slot: bool = False,
) -> WorkflowRun | None:
    """The new run, or None when this rule already has a run for ``trigger_key``. A run stopped by
    the depth limit or the rate limit is created SKIPPED with the reason, so the history shows it;
    with ``wait_for_slot`` the rate limit raises ``RateLimited`` instead and nothing is written."""
    if WorkflowRun.objects.filter(rule=rule, trigger_key=trigger_key).exists():
        return None
    reason = _skip_reason(depth, wait_for_slot=wait_for_slot)
    with transaction.atomic():
        run, created = WorkflowRun.objects.get_or_create(
            rule=rule,
            trigger_key=trigger_key,
            defaults={
                "version": rule.version,
                "event": event,
                "entity": rule.entity,
                "record_id": record_id,
                "depth": depth,
                "status": RunStatus.SKIPPED if reason else RunStatus.PENDING,
                "message": reason,
                "finished_at": timezone.now() if reason else None,
            },
        )
    if not created:
        return None
    if reason:
        logger.info("workflow rule %s: %s", rule.pk, reason)
    return run


def queue_runs(run_ids: Iterable[int]) -> None:
    """Queue the runs once the current transaction commits. A broker outage loses nothing: the
    clock task queues pending runs nobody picked up."""
    ids = list(run_ids)
    if not ids:
        return

    def send() -> None:
        from customization.workflows.tasks import run_workflow

        for run_id in ids:
            try:
                run_workflow.apply_async((run_id,), retry=False)
            except Exception:
                logger.warning("could not queue workflow run %s; the clock task will", run_id, exc_info=True)
                return

    transaction.on_commit(send, robust=True)
