"""Starting a rule on records someone chose — a report's group, customers at risk — rather than on
an event. Only rules whose trigger a module registered as started by hand (``registry``) are
offered, on their own record type.

``start_on_selection`` checks the request and stores the records (at most ``MAX_SELECTION``, each
once) in a ``SelectionRun``; after commit a Celery task starts their runs in batches
(``start_next_batch``), never the request. Each run's trigger key is ``selection:<id>:<record>``, so
a retried batch starts nothing twice. The plan's monthly limit applies as to any run (a run it stops
is logged as skipped, with the reason); the per-minute rate limit does not skip a selection's
records but pauses it: the batch stops at the first record the minute has no room for, and the next
batch starts from that record once the minute is over. Which records are offered,
and that the user may see them, is the caller's business: this package never reads a module's
records.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customization.fields.choices import Entity
from customization.workflows.choices import RunStatus, SelectionStatus
from customization.workflows.engine.runs import RateLimited, queue_runs, start_run
from customization.workflows.models import SelectionRun, WorkflowRule, WorkflowRun
from customization.workflows.registry import selection_trigger_keys
from identity.models import User
from identity.services.audit import audit

logger = logging.getLogger(__name__)
MAX_SELECTION = 5_000
BATCH_SIZE = 200
# Seconds between batches: 200 runs every 30 s stays under the default 600 runs a minute.
DEFAULT_BATCH_PAUSE = 30


def batch_pause() -> int:
    return int(getattr(settings, "WORKFLOW_SELECTION_BATCH_PAUSE", DEFAULT_BATCH_PAUSE))


def rules_for_selection(entity: str) -> QuerySet[WorkflowRule]:
    """The active rules that may be started on records of ``entity``."""
    return WorkflowRule.objects.filter(
        is_active=True, entity=entity, trigger__in=sorted(selection_trigger_keys())
    ).order_by("name", "id")


def entity_label(entity: str, count: int) -> str:
    """ "37 companies": the records of a selection, counted in words."""
    forms = {
        "company": ngettext("%(count)d company", "%(count)d companies", count),
        "contact": ngettext("%(count)d contact", "%(count)d contacts", count),
        "lead": ngettext("%(count)d lead", "%(count)d leads", count),
        "deal": ngettext("%(count)d deal", "%(count)d deals", count),
        "activity": ngettext("%(count)d activity", "%(count)d activities", count),
        "order": ngettext("%(count)d order", "%(count)d orders", count),
    }
    return forms.get(entity, "%(count)d") % {"count": count}


def _checked_rule(rule: Any, entity: str) -> WorkflowRule:
    if not isinstance(rule, WorkflowRule):
        raise ValidationError({"workflow": [_("Choose one of the workflows offered.")]})
    if rule.trigger not in selection_trigger_keys():
        raise ValidationError({"workflow": [_("This workflow starts on events, not on a selection.")]})
    if rule.entity != entity:
        raise ValidationError(
            {
                "workflow": [
                    _("This workflow runs on %(theirs)s records, and the selection holds %(ours)s records.")
                    % {"theirs": Entity(rule.entity).label, "ours": Entity(entity).label}
                ]
            }
        )
    if not rule.is_active:
        raise ValidationError({"workflow": [_("This workflow is switched off.")]})
    return rule


def start_on_selection(
    *,
    rule: Any,
    entity: str,
    record_ids: Iterable[int],
    by: User,
    label: str,
    expected_count: int | None = None,
) -> SelectionRun:
    """Store the selection and queue its runs; a ``ValidationError`` naming ``workflow``,
    ``selection`` or ``expected_count`` (the records changed since the count was shown) otherwise,
    writing nothing."""
    if entity not in Entity.values:
        raise ValidationError({"selection": [_("These records cannot run workflows.")]})
    rule = _checked_rule(rule, entity)
    ids = sorted({int(pk) for pk in record_ids})
    if not ids:
        raise ValidationError({"selection": [_("The selection holds no records you may see.")]})
    if len(ids) > MAX_SELECTION:
        raise ValidationError(
            {
                "selection": [
                    _("A workflow starts on at most %(limit)d records at once; narrow the selection.")
                    % {"limit": MAX_SELECTION}
                ]
            }
        )
    if expected_count is not None and expected_count != len(ids):
        raise ValidationError(
            {
                "expected_count": [
                    ngettext(
                        "The selection changed: it now holds %(count)d record. Confirm again.",
                        "The selection changed: it now holds %(count)d records. Confirm again.",
                        len(ids),
                    )
                    % {"count": len(ids)}
                ]
            }
        )
    with transaction.atomic():
        selection = SelectionRun.objects.create(
            rule=rule, version=rule.version, entity=entity, label=label[:300], record_ids=ids, total=len(ids),
            requested_by=by,
        )  # fmt: skip
        audit(
            "workflow.started_on_selection",
            _("Workflow rule %(rule)s started on %(records)s (%(label)s).")
            % {"rule": rule.name, "records": entity_label(entity, len(ids)), "label": selection.label},
            by=by,
            target=f"workflow:{rule.pk}",
            details={"rule": rule.name, "selection": selection.pk, "records": len(ids)},
        )
        transaction.on_commit(lambda: _queue(selection.pk), robust=True)
    return selection


def _queue(selection_id: int, countdown: int = 0) -> None:
    from customization.workflows.tasks import start_selection_runs

    try:
        start_selection_runs.apply_async((selection_id,), countdown=countdown, retry=False)
    except Exception:
        # The clock task (``resume_workflow_runs``) picks up selections nobody is starting.
        logger.warning("could not queue selection %s", selection_id, exc_info=True)


def _seconds_to_next_minute() -> int:
    # The rate limit counts per clock minute (``limits.take_run_slot``); one second past its end.
    return 61 - int(time.time()) % 60


def start_next_batch(selection_id: int) -> bool:
    """Start the runs of the selection's next batch; True while records are left. A record the
    rate limit has no room for ends the batch: it and the rest start after the minute."""
    with transaction.atomic():
        selection = SelectionRun.objects.select_for_update().select_related("rule").filter(pk=selection_id).first()
        if selection is None or selection.status == SelectionStatus.STARTED:
            return False
        done = selection.started + selection.not_started
        batch = selection.record_ids[done : done + BATCH_SIZE]
        created: list[WorkflowRun] = []
        pause = batch_pause()
        limited = False
        for record_id in batch:
            try:
                run = start_run(
                    selection.rule, trigger_key=f"{selection.trigger_prefix}{record_id}", record_id=record_id,
                    wait_for_slot=True,
                )  # fmt: skip
            except RateLimited:
                pause = _seconds_to_next_minute()
                limited = True
                break
            if run is None:  # started by an earlier try of this batch
                selection.started += 1
            elif run.status == RunStatus.SKIPPED:
                selection.not_started += 1
            else:
                selection.started += 1
                created.append(run)
        more = selection.started + selection.not_started < selection.total
        if not more:
            selection.status = SelectionStatus.STARTED
        else:
            selection.status = SelectionStatus.WAITING if limited else SelectionStatus.STARTING
        # Whoever follows the selection sees when a paused one goes on, not "starting".
        selection.resumes_at = timezone.now() + timedelta(seconds=pause) if more and limited else None
        selection.finished_at = None if more else timezone.now()
        selection.save(update_fields=["started", "not_started", "status", "resumes_at", "finished_at", "progressed_at"])
        queue_runs(run.pk for run in created)
        if more:
            transaction.on_commit(lambda: _queue(selection_id, countdown=pause), robust=True)
    return more


def selection_outcome(selection: SelectionRun) -> dict[str, int]:
    """How the selection's runs stand, by status (one query)."""
    counts = dict(
        WorkflowRun.objects.filter(rule_id=selection.rule_id, trigger_key__startswith=selection.trigger_prefix)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {status: int(counts.get(status, 0)) for status in RunStatus.values}


def stalled_selection_ids(*, older_than_seconds: int = 300) -> list[int]:
    """Selections whose batches stopped being queued (a lost message): to queue again."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds + batch_pause())
    return list(
        SelectionRun.objects.exclude(status=SelectionStatus.STARTED)
        .filter(progressed_at__lt=cutoff)
        .values_list("pk", flat=True)[:100]
    )
