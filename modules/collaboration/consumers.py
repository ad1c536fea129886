"""The outbox consumer that tells people about records: "assigned to you" for a new owner or
assignee, and a notice to each follower when a followed record changes (stage moves, status
changes, edits, conversions, notes and files). It runs after the change commits (the
dispatcher), never inline, and is idempotent: every notification's ``dedupe_key`` holds the
event's id, so an event offered twice writes nothing new."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from django.apps import apps
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from customization.events.models import DomainEvent
from customization.fields.entities import ENTITY_MODELS
from identity.models import User
from modules.activities.choices import NotificationKind
from modules.activities.services.notifications import notify
from modules.collaboration.access import may_see
from modules.collaboration.models import Follow
from modules.collaboration.targets import TARGETS
from modules.contacts.services.records import owner_field

# More assignments than this to one person in one batch (a bulk assign, an import) make one
# summary notification instead of one each.
SUMMARY_AFTER = 3


def _record(entity: str, record_id: int) -> Model | None:
    label = ENTITY_MODELS.get(entity)
    if label is None:
        return None
    return apps.get_model(label)._default_manager.filter(pk=record_id).first()


def _status_label(entity: str, value: str) -> str:
    """A stored status by its label, in the language the notification is written in."""
    model = apps.get_model(ENTITY_MODELS[entity])
    return str(dict(model._meta.get_field("status").flatchoices).get(value, value))


def _actor_name(event: DomainEvent) -> str:
    actor = event.actor
    return actor.display_name if actor is not None else str(_("Someone"))


# --- Assigned to you -----------------------------------------------------------------------------


def _gives_owner(event: DomainEvent) -> bool:
    """``event`` created a record or changed its owner (an activity's assignee)."""
    entity, _dot, action = event.type.partition(".")
    if entity != event.entity or entity not in ENTITY_MODELS:
        return False
    if action == "updated":
        field = owner_field(entity)
        changes = (event.data or {}).get("changes", [])
        return any(isinstance(change, dict) and change.get("field") == field for change in changes)
    return action == "created"


def _assignee_id(event: DomainEvent) -> int | None:
    """Who ``event`` gave its record to, as the change left it (``assignee_id``, written by the
    services). An event written before they recorded it names no one: its record's owner is read."""
    data = event.data or {}
    if "assignee_id" in data:
        assignee_id = data["assignee_id"]
        return assignee_id if isinstance(assignee_id, int) else None
    record = _record(event.entity, event.record_id)
    return getattr(record, f"{owner_field(event.entity)}_id", None) if record is not None else None


def _assignments(events: Sequence[DomainEvent]) -> list[tuple[DomainEvent, Model, User]]:
    """(event, record, assignee) for each person ``events`` gave a record to, other than the one
    who did it: a record given to two people in turn tells both, each once (by the last event
    that gave it to them). Someone it was taken from again before this ran is told only if they
    can still open it; a record deleted since tells no one."""
    last: dict[tuple[str, int, int], DomainEvent] = {}
    for event in events:
        if not _gives_owner(event):
            continue
        assignee_id = _assignee_id(event)
        if assignee_id is not None and assignee_id != event.actor_id:
            last[(event.entity, event.record_id, assignee_id)] = event
    users = User.objects.select_related("role").in_bulk({assignee_id for _e, _r, assignee_id in last})
    records: dict[tuple[str, int], Model | None] = {}
    found = []
    for (entity, record_id, assignee_id), event in last.items():
        if (entity, record_id) not in records:
            records[(entity, record_id)] = _record(entity, record_id)
        record, user = records[(entity, record_id)], users.get(assignee_id)
        if record is None or user is None or not user.is_active:
            continue
        still_theirs = getattr(record, f"{owner_field(entity)}_id", None) == assignee_id
        if still_theirs or may_see(user, record):
            found.append((event, record, user))
    return found


def _assigned_many(actor: str, count: int) -> str:
    return ngettext(
        "%(actor)s assigned %(count)d record to you", "%(actor)s assigned %(count)d records to you", count
    ) % {"actor": actor, "count": count}


def _assigned_one(actor: str, name: str) -> str:
    return str(_("%(actor)s assigned %(record)s to you") % {"actor": actor, "record": name})


def _notify_assignments(events: Sequence[DomainEvent]) -> None:
    by_recipient: dict[tuple[int, str], list[tuple[DomainEvent, Model, User]]] = defaultdict(list)
    for event, record, assignee in _assignments(events):
        by_recipient[(assignee.pk, event.entity)].append((event, record, assignee))
    for (_owner_id, entity), items in by_recipient.items():
        first_event, _first_record, owner = items[0]
        if len(items) > SUMMARY_AFTER:
            count, actor = len(items), _actor_name(first_event)
            notify(
                [owner],
                kind=NotificationKind.ASSIGNED,
                entity="",
                record_id=None,
                title=partial(_assigned_many, actor, count),
                dedupe_prefix=f"assigned:{first_event.event_id}:batch",
            )
            continue
        for event, record, recipient in items:
            actor, name = _actor_name(event), str(record)
            notify(
                [recipient],
                kind=NotificationKind.ASSIGNED,
                entity=entity,
                record_id=record.pk,
                title=partial(_assigned_one, actor, name),
                dedupe_prefix=f"assigned:{event.event_id}",
            )


# --- Followed records ----------------------------------------------------------------------------


def _followed_change(event: DomainEvent) -> tuple[str, int, Callable[[str, str], Any]] | None:
    """(subject, record id, title builder) when ``event`` changes a record people may follow."""
    data: dict[str, Any] = event.data or {}
    if event.type in ("note.created", "attachment.created"):
        record = data.get("record") or {}
        subject, record_id = record.get("entity"), record.get("id")
        if subject not in TARGETS or not isinstance(record_id, int):
            return None
        if event.type == "note.created":
            return subject, record_id, lambda actor, name: _("%(actor)s added a note to %(record)s") % {
                "actor": actor, "record": name,
            }  # fmt: skip
        file_name = str(data.get("name", ""))
        return subject, record_id, lambda actor, name: _("%(actor)s attached %(file)s to %(record)s") % {
            "actor": actor, "file": file_name, "record": name,
        }  # fmt: skip
    entity, _dot, action = event.type.partition(".")
    if entity != event.entity or entity not in TARGETS:
        return None
    if action == "stage_changed":
        stage = str(data.get("to_stage", ""))
        return entity, event.record_id, lambda actor, name: _("%(actor)s moved %(record)s to %(stage)s") % {
            "actor": actor, "record": name, "stage": stage,
        }  # fmt: skip
    if action == "status_changed":  # an order confirmed → fulfilled → invoiced → paid
        status = str(data.get("to_status", ""))
        return entity, event.record_id, lambda actor, name: _("%(actor)s marked %(record)s as %(status)s") % {
            "actor": actor, "record": name, "status": _status_label(entity, status),
        }  # fmt: skip
    if action in ("updated", "converted"):
        return entity, event.record_id, lambda actor, name: _("%(actor)s changed %(record)s") % {
            "actor": actor, "record": name,
        }  # fmt: skip
    return None


def _notify_followers(events: Sequence[DomainEvent]) -> None:
    for event in events:
        change = _followed_change(event)
        if change is None:
            continue
        subject, record_id, title = change
        followers = [
            follow.user
            for follow in Follow.objects.filter(**{f"{subject}_id": record_id}).select_related("user__role")
            if follow.user_id != event.actor_id
        ]
        if not followers:
            continue
        record = _record(subject, record_id)
        if record is None:
            continue
        recipients = [user for user in followers if may_see(user, record)]
        actor, name = _actor_name(event), str(record)
        notify(
            recipients,
            kind=NotificationKind.FOLLOWED,
            entity=subject,
            record_id=record_id,
            title=partial(title, actor, name),
            dedupe_prefix=f"follow:{event.event_id}",
        )


def consume(events: Sequence[DomainEvent]) -> None:
    """The outbox consumer (registered in ``CollaborationConfig.ready``)."""
    _notify_assignments(events)
    _notify_followers(events)
