"""Membership follows changes, without a sweep: the outbox consumer.

For a batch of events, the contacts they concern are found (a contact's own events; a company's
contacts; the contact of a deal, order or activity; the contact a lead was converted into) and
every dynamic segment is re-evaluated for those contacts only — one set-based statement per
segment restricted to their ids (``membership.apply_rules(..., within=ids)``), emitting
``segment.contact_entered`` / ``segment.contact_left`` for the contacts whose membership changed.
Modules' other contact events (e-mail engagement) concern their contact, so rules over them follow
too. Re-evaluation is idempotent, so a redelivered event changes nothing twice.

A deleted deal, order, activity or lead names in its event the contact it concerned
(``data["contact_id"]``, written by ``record_event`` and bulk deletion), so that contact alone is
re-evaluated. One change still leaves no way to find the contact it left: a related record moved
to another contact or company (the event has the old value's name, not its id). Then, as for a
deleted record whose event predates that key, the dynamic segments whose rules use that kind of
record are rebuilt whole (a task after commit). A contact's deletion
removes its memberships by cascade; the counts are recounted."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet

from customization.events.models import DomainEvent
from modules.activities.models import Activity
from modules.contacts.models import Contact
from modules.marketing.choices import SegmentKind
from modules.marketing.models import Segment
from modules.marketing.segments import membership
from modules.marketing.segments.rules import condition_types, rules_q

logger = logging.getLogger(__name__)

CONSUMER_NAME = "marketing_segments"


def _linked(model: Any, column: str) -> Callable[[set[int]], QuerySet[Any]]:
    def resolve(ids: set[int]) -> QuerySet[Any]:
        return model.objects.filter(pk__in=ids, **{f"{column}__isnull": False}).values_list(column, flat=True)

    return resolve


def _resolvers() -> dict[str, Callable[[set[int]], QuerySet[Any]]]:
    from modules.sales.models import Deal, Lead, Order

    return {
        "company": lambda ids: Contact.objects.filter(company_id__in=ids).values_list("pk", flat=True),
        "deal": _linked(Deal, "contact_id"),
        "order": _linked(Order, "contact_id"),
        "activity": _linked(Activity, "contact_id"),
        "lead": _linked(Lead, "converted_contact_id"),
    }


# A related record's fields that tie it to a contact: when one changes, the contact it left is
# no longer findable from the record.
LINK_FIELDS = frozenset({"contact", "company", "converted_contact"})


def _link_changed(event: DomainEvent) -> bool:
    changes = (event.data or {}).get("changes") or []
    return any(isinstance(change, dict) and change.get("field") in LINK_FIELDS for change in changes)


def affected(events: Iterable[DomainEvent]) -> tuple[set[int], set[str], bool]:
    """(contact ids to re-evaluate, kinds of record whose segments need a rebuild, whether
    contacts were deleted)."""
    resolvers = _resolvers()
    contact_ids: set[int] = set()
    by_entity: dict[str, set[int]] = defaultdict(set)
    rebuild_types: set[str] = set()
    contacts_deleted = False
    for event in events:
        if event.type.startswith("segment."):
            continue
        action = event.type.rsplit(".", 1)[-1]
        if event.entity == "contact":
            if action == "deleted":
                contacts_deleted = True
            else:
                contact_ids.add(event.record_id)
            continue
        if event.entity not in resolvers:
            continue
        if action == "deleted" and "contact_id" in (event.data or {}):
            # The event names the contact the record concerned: re-evaluate that contact only.
            if event.data["contact_id"] is not None:
                contact_ids.add(event.data["contact_id"])
            continue
        if action == "deleted" or (action == "updated" and _link_changed(event)):
            rebuild_types.add(event.entity)
        if action != "deleted":
            by_entity[event.entity].add(event.record_id)
    for entity, ids in by_entity.items():
        contact_ids.update(resolvers[entity](ids))
    return contact_ids, rebuild_types, contacts_deleted


def follow(events: Sequence[DomainEvent]) -> None:
    contact_ids, rebuild_types, contacts_deleted = affected(events)
    if not contact_ids and not rebuild_types and not contacts_deleted:
        return
    segments = list(Segment.objects.filter(kind=SegmentKind.DYNAMIC).order_by("pk"))
    for segment in segments:
        if rebuild_types & condition_types(segment.rules):
            _rebuild_after_commit(segment.pk)
        elif contact_ids:
            _reevaluate(segment, contact_ids)
    if contacts_deleted:
        membership.recount()


def follow_condition(condition_type: str, contact_ids: Iterable[int]) -> None:
    """Re-evaluate, for ``contact_ids`` only, the dynamic segments whose rules use
    ``condition_type``: for an app whose values change without a contact event (lead scores move
    with behaviour points, decay and recalculation), called after it wrote them."""
    ids = set(contact_ids)
    if not ids:
        return
    for segment in Segment.objects.filter(kind=SegmentKind.DYNAMIC).order_by("pk"):
        if condition_type in condition_types(segment.rules):
            _reevaluate(segment, ids)


def _reevaluate(segment: Segment, contact_ids: set[int]) -> None:
    """One segment for some contacts, in a savepoint: a segment whose rules no longer compile (a
    custom field was deleted) is logged and skipped, never holding back the outbox."""
    try:
        with transaction.atomic():
            rules_q(segment.rules)  # raises before any write when the rules no longer compile
            change = membership.apply_rules(segment, segment.rules, within=contact_ids)
            if change.entered or change.left:
                Segment.objects.filter(pk=segment.pk).update(
                    member_count=F("member_count") + change.entered - change.left
                )
    except Exception:
        logger.exception("segment %s could not be re-evaluated", segment.pk)


def _rebuild_after_commit(segment_id: int) -> None:
    from modules.marketing.segments.tasks import rebuild_segment

    transaction.on_commit(lambda: rebuild_segment.apply_async((segment_id,), retry=False), robust=True)


def consume(events: Sequence[DomainEvent]) -> None:
    follow(events)
