"""The outbox event types a module announces to subscribers (webhook endpoints).

The webhook layer lists the record types' own events (``<entity>.created`` …); events a module's
services write about other records (``consent.changed`` names a contact) are registered here by
the module from its ``AppConfig.ready()``, so the API layer offers them without importing the
module. A group is one heading of the subscription form."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class EventGroup:
    """``types`` are ``(event type, label)``. The events name records of the existing record types
    (``data.entity`` and ``data.id`` on delivery, what an endpoint's record-type filter compares);
    ``subject`` is the key under which a delivery carries the event's own ``id`` (the segment, the
    e-mail, the topic…), which ``data.id`` cannot hold. A group of events about a module's own
    records (the service settings' ``sla_policy.updated`` …) names no subject: ``data.entity`` and
    ``data.id`` are that record."""

    key: str
    label: Promise | str
    types: tuple[tuple[str, Promise | str], ...]
    subject: str = ""


_groups: dict[str, EventGroup] = {}


def register_event_types(group: EventGroup) -> None:
    _groups[group.key] = group


def subject_key(event_type: str) -> str:
    """Where a delivery of ``event_type`` carries the event's own ``id`` ("" when nowhere)."""
    return next((group.subject for group in _groups.values() if any(t == event_type for t, _l in group.types)), "")


def registered_event_groups() -> tuple[EventGroup, ...]:
    """The registered groups in key order (stable whatever order the apps load in)."""
    return tuple(_groups[key] for key in sorted(_groups))
