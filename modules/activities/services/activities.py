"""Activities: log or plan, update (reschedule), complete with an optional follow-up, cancel."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.input_bounds import check_value
from identity.models import User
from modules.activities.choices import ActivityKind, ActivityStatus
from modules.activities.models import Activity
from modules.activities.services import itip
from modules.contacts.choices import TimelineKind
from modules.contacts.services.records import apply_update, check_fields, new_custom_values, record_event, validated
from modules.contacts.services.timeline import record_activity_state, record_entry

ACTIVITY_FIELDS = (
    "kind", "subject", "body", "status", "priority", "direction", "due_at", "ends_at", "all_day", "location",
    "outcome", "outcome_note", "remind_at", "assignee", "company", "contact", "lead", "deal", "custom",
    # calendar identity and recurrence, written by calendar import and sync
    "ical_uid", "ical_sequence", "time_zone", "rrule", "rdates", "exdates", "series", "recurrence_id",
)  # fmt: skip
UPDATABLE_FIELDS = tuple(name for name in ACTIVITY_FIELDS if name != "status")
LINKS = ("company", "contact", "lead", "deal")


@dataclass(frozen=True)
class FollowUp:
    """The next step to plan when an activity is completed."""

    kind: str
    subject: str
    due_at: datetime | None = None
    assignee: User | None = None
    body: str = ""


def _fill_links(activity: Activity) -> None:
    """An activity on a contact or deal also belongs to their company, so the company's timeline shows it."""
    contact, deal = activity.contact, activity.deal
    if activity.company_id is None:
        if contact is not None and contact.company_id is not None:
            activity.company_id = contact.company_id
        elif deal is not None and deal.company_id is not None:
            activity.company_id = deal.company_id
    if contact is None and deal is not None and deal.contact_id is not None:
        activity.contact_id = deal.contact_id


def _links(activity: Activity) -> dict[str, Any]:
    return {name: getattr(activity, name) for name in LINKS}


def _touch_deal(activity: Activity, when: datetime) -> None:
    if activity.deal_id is not None:
        from modules.sales.models import Deal

        Deal.objects.filter(pk=activity.deal_id).update(last_activity_at=when)


def create_activity(*, by: User | None, origin: Activity | None = None, **values: Any) -> Activity:
    """Plan an activity, or log one that already happened (``status="done"``; notes always are)."""
    check_fields(Activity, values, ACTIVITY_FIELDS)
    values.setdefault("assignee", by)
    values["custom"] = new_custom_values(Activity, values.get("custom"))
    activity = Activity(created_by=by, origin=origin, **values)
    if activity.kind == ActivityKind.NOTE or activity.status == ActivityStatus.DONE:
        activity.status = ActivityStatus.DONE
        activity.completed_at = activity.completed_at or timezone.now()
        activity.completed_by = by
    if not (activity.subject or "").strip():
        raise ValidationError({"subject": [_("An activity needs a subject.")]})
    _check_times(activity)
    _fill_links(activity)
    validated(activity)
    with transaction.atomic():
        activity.save()
        record_entry(
            TimelineKind.ACTIVITY,
            actor=by,
            activity=activity,
            data={"event": "created", "status": activity.status},
            **_links(activity),
        )
        record_event("created", activity, by=by, data={"origin_id": origin.pk if origin else None})
        _touch_deal(activity, timezone.now())
    return activity


def _check_times(activity: Activity) -> None:
    if activity.ends_at is not None:
        if activity.due_at is None:
            raise ValidationError({"due_at": [_("An activity with an end needs a start.")]})
        if activity.ends_at < activity.due_at:
            raise ValidationError({"ends_at": [_("The end must not be before the start.")]})
        check_value(activity.ends_at - activity.due_at, field="ends_at")  # bounded, so a move keeps it in range


def update_activity(activity: Activity, *, by: User | None, **values: Any) -> Activity:
    """Change an activity; moving ``due_at`` (a drag on the calendar) keeps a meeting's length
    unless ``ends_at`` is given too, and re-arms its reminder."""
    check_fields(Activity, values, UPDATABLE_FIELDS)
    for name in ("due_at", "ends_at"):
        check_value(values.get(name), field=name)  # before the arithmetic below
    if "due_at" in values and "ends_at" not in values and values["due_at"] and activity.due_at and activity.ends_at:
        values["ends_at"] = values["due_at"] + (activity.ends_at - activity.due_at)
    proposed = copy.copy(activity)
    for name, value in values.items():
        setattr(proposed, name, value)
    _check_times(proposed)
    with transaction.atomic():
        if "due_at" in values or "remind_at" in values:
            activity.reminded_at = None
        changes = apply_update(
            activity, values, by=by, allowed=UPDATABLE_FIELDS, timeline_links={**_links(activity), "activity": activity}
        )
        itip.after_update(activity, [change["field"] for change in changes])
    return activity


def complete_activity(
    activity: Activity, *, by: User | None, outcome: str = "", outcome_note: str = "", follow_up: FollowUp | None = None
) -> tuple[Activity, Activity | None]:
    """Mark done (with an outcome) and, if asked, plan the follow-up, linked to the same records and
    to this activity as its origin. One transaction: both or neither."""
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.status != ActivityStatus.OPEN:
            raise ValidationError({"status": [_("Only an open activity can be completed.")]})
        now = timezone.now()
        activity.status = ActivityStatus.DONE
        activity.outcome = outcome
        activity.outcome_note = outcome_note
        activity.completed_at = now
        activity.completed_by = by
        validated(activity)
        activity.save()
        record_activity_state(activity, "completed", actor=by, links=_links(activity))
        record_event("completed", activity, by=by, data={"outcome": outcome})
        _touch_deal(activity, now)
        next_activity = None
        if follow_up is not None:
            next_activity = create_activity(
                by=by,
                origin=activity,
                kind=follow_up.kind,
                subject=follow_up.subject,
                body=follow_up.body,
                due_at=follow_up.due_at,
                assignee=follow_up.assignee or activity.assignee,
                **{name: getattr(activity, name) for name in LINKS},
            )
    return activity, next_activity


def cancel_activity(activity: Activity, *, by: User | None) -> Activity:
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.status != ActivityStatus.OPEN:
            raise ValidationError({"status": [_("Only an open activity can be cancelled.")]})
        activity.status = ActivityStatus.CANCELLED
        activity.save(update_fields=["status", "updated_at"])
        record_activity_state(activity, "cancelled", actor=by, links=_links(activity))
        record_event("cancelled", activity, by=by)
        itip.cancel(activity)
    return activity


def delete_activity(activity: Activity, *, by: User | None) -> None:
    with transaction.atomic():
        record_event("deleted", activity, by=by, data={"subject": activity.subject})
        if activity.status == ActivityStatus.OPEN:
            itip.cancel(activity)  # the message is built now, sent once the row is gone
        activity.delete()


def follow_up_chain(activity: Activity) -> list[Activity]:
    """The chain through ``activity``: its origins (oldest first), itself, then its follow-ups, depth first."""
    chain: list[Activity] = []
    seen: set[int] = set()
    node: Activity | None = activity.origin
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        chain.insert(0, node)
        node = node.origin
    chain.append(activity)
    stack = list(activity.follow_ups.order_by("-created_at", "-id"))
    while stack:
        node = stack.pop()
        if node.pk in seen or node.pk == activity.pk:
            continue
        seen.add(node.pk)
        chain.append(node)
        stack.extend(node.follow_ups.order_by("-created_at", "-id"))
    return chain
