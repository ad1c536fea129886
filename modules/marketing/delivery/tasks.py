"""Celery tasks of marketing sends. ``deliver_email`` runs the engine for one e-mail (any number of
copies may run: claims and the tenant's concurrency slots keep them apart); beat's
``resume_all_sends`` queues ``resume_sends`` per served tenant, which starts scheduled e-mails,
decides due A/B tests, queues rows of dead workers again and restarts sends with work left."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.db import connection

from modules.marketing.choices import EmailStatus
from modules.marketing.delivery.choices import RecipientState, SendStatus
from modules.marketing.delivery.models import Recipient, Send
from modules.registry import is_enabled
from tenants.services.fleet import queue_for_each_served_tenant, runs_in_a_tenant

logger = logging.getLogger(__name__)


def _marketing_enabled() -> bool:
    return is_enabled(getattr(connection, "tenant", None), "marketing")


def queue_delivery(email_id: int) -> None:
    """Queue as many workers as the tenant may run at once for this e-mail (in the current tenant)."""
    from modules.marketing.delivery.services.engine import delivery_settings

    for _copy in range(delivery_settings().max_concurrency):
        deliver_email.apply_async((email_id,))


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_email(self: Any, email_id: int) -> dict[str, Any]:
    from modules.marketing.delivery.services.engine import deliver

    if not runs_in_a_tenant("deliver_email") or not _marketing_enabled():
        return {"stopped": "no tenant"}
    outcome = deliver(email_id)
    if outcome.deferred_for:
        # The rate limit asks for a pause: come back then rather than hold the worker.
        raise self.retry(countdown=max(1, int(outcome.deferred_for)))
    if outcome.retried:
        # Rows that got a "try later" reply are due after their back-off; resume_sends also finds them.
        deliver_email.apply_async((email_id,), countdown=60)
    return {"sent": outcome.sent, "retried": outcome.retried, "failed": outcome.failed, "stopped": outcome.stopped}


@shared_task(acks_late=True)
def resume_sends() -> dict[str, int]:
    from modules.marketing.delivery.services.ab import decide_due_tests
    from modules.marketing.delivery.services.engine import recover_stale
    from modules.marketing.delivery.services.sends import finish_if_done, start_due_scheduled

    if not runs_in_a_tenant("resume_sends") or not _marketing_enabled():
        return {}
    started = start_due_scheduled()
    decided = decide_due_tests()
    recovered = recover_stale()
    running = list(
        Send.objects.filter(
            status__in=(SendStatus.SENDING, SendStatus.TESTING), email__status=EmailStatus.SENDING
        ).values_list("email_id", flat=True)
    )
    resumed = 0
    for email_id in running:
        if Recipient.objects.filter(email_id=email_id, state=RecipientState.QUEUED).exists():
            queue_delivery(email_id)
            resumed += 1
        else:
            finish_if_done(email_id)
    return {"started": len(started), "decided": len(decided), "recovered": recovered, "resumed": resumed}


@shared_task
def resume_all_sends() -> int:
    return queue_for_each_served_tenant(resume_sends, expires=55)
