"""Segment tasks. ``rebuild_segment`` rebuilds one dynamic segment in its tenant's schema (queued
after its rules are saved, or when a change cannot be followed contact by contact).

Membership follows changes through the outbox consumer, so no sweep re-evaluates segments. Rules
relative to today ("ordered in the last 30 days") are the exception: time alone changes their
answer. ``reevaluate_time_relative_segments`` rebuilds, once a day, only the dynamic segments
whose rules have such a condition (``rules.is_time_relative``); beat queues it per tenant."""

from __future__ import annotations

import logging

from celery import shared_task

from modules.marketing.choices import SegmentKind
from modules.marketing.models import Segment
from modules.marketing.segments.rules import is_time_relative
from tenants.services.fleet import queue_for_each_served_tenant, runs_in_a_tenant

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def rebuild_segment(segment_id: int) -> int | None:
    """Rebuild one dynamic segment; idempotent (a second run finds nothing to change)."""
    from modules.marketing.segments.services import rebuild

    if not runs_in_a_tenant("rebuild_segment"):
        return None
    segment = Segment.objects.filter(pk=segment_id, kind=SegmentKind.DYNAMIC).first()
    if segment is None:
        return None
    change = rebuild(segment)
    return change.entered + change.left


def time_relative_segment_ids() -> list[int]:
    return [
        segment.pk
        for segment in Segment.objects.filter(kind=SegmentKind.DYNAMIC).only("pk", "rules").order_by("pk")
        if is_time_relative(segment.rules)
    ]


@shared_task(acks_late=True)
def reevaluate_time_relative_segments() -> int:
    """Rebuild the current tenant's time-relative segments; returns how many."""
    if not runs_in_a_tenant("reevaluate_time_relative_segments"):
        return 0
    ids = time_relative_segment_ids()
    for segment_id in ids:
        try:
            rebuild_segment(segment_id)
        except Exception:
            logger.exception("time-relative segment %s could not be rebuilt", segment_id)
    return len(ids)


@shared_task
def reevaluate_all_time_relative_segments() -> int:
    return queue_for_each_served_tenant(reevaluate_time_relative_segments, expires=6 * 3600)
