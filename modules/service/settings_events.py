"""Outbox events of the service module's settings records, so webhook endpoints and other
consumers learn of changes to them as they do of cases: SLA policies, business calendars and their
days off, assignment rules, canned responses and portal users each write ``<type>.created``,
``<type>.updated`` (``changes``: the names of the fields that changed) and ``<type>.deleted``
(``name``) in the transaction of the change.

The events are thin like every other (``data.entity`` is the settings type, ``data.id`` the row):
receivers read the record through the API with their own key. They carry field names, never
values, so a personal canned response's text or a portal user's address never travels in them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from customization.events.outbox import emit

SLA_POLICY = "sla_policy"
BUSINESS_CALENDAR = "business_calendar"
CALENDAR_HOLIDAY = "calendar_holiday"
ASSIGNMENT_RULE = "assignment_rule"
CANNED_RESPONSE = "canned_response"
PORTAL_USER = "portal_user"

SETTINGS_RECORDS: tuple[tuple[str, Promise], ...] = (
    (SLA_POLICY, _("SLA policy")),
    (BUSINESS_CALENDAR, _("Business calendar")),
    (CALENDAR_HOLIDAY, _("Business calendar day off")),
    (ASSIGNMENT_RULE, _("Assignment rule")),
    (CANNED_RESPONSE, _("Canned response")),
    (PORTAL_USER, _("Portal user")),
)
ACTIONS: tuple[tuple[str, Promise], ...] = (
    ("created", _("created")),
    ("updated", _("updated")),
    ("deleted", _("deleted")),
)


def snapshot(record: Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` (foreign keys by id) to compare after a change."""
    values: dict[str, Any] = {}
    for name in fields:
        field = record._meta.get_field(name)
        attribute = getattr(field, "attname", name)
        values[name] = getattr(record, attribute)
    return values


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The names whose values differ, in ``after``'s order."""
    return [name for name, value in after.items() if before.get(name) != value]


def record_created(entity: str, record: Model, *, by: Any) -> None:
    emit(f"{entity}.created", record, entity=entity, actor=by)


def record_updated(entity: str, record: Model, *, by: Any, fields: Iterable[str]) -> None:
    """``<entity>.updated`` naming ``fields``; nothing when no field changed (a save that changes
    nothing is no event, as for the other records)."""
    names = list(fields)
    if names:
        emit(f"{entity}.updated", record, entity=entity, actor=by, data={"changes": [{"field": n} for n in names]})


def record_deleted(entity: str, record: Model, *, by: Any, name: str = "") -> None:
    """Call before the row goes (the event keeps its id); ``name`` is what a receiver can no longer read."""
    emit(f"{entity}.deleted", record, entity=entity, actor=by, data={"name": name} if name else {})


def register() -> None:
    """Offer the events to webhook endpoints (``customization.events.catalogue``); from ``ready()``."""
    from customization.events.catalogue import EventGroup, register_event_types

    for key, label in SETTINGS_RECORDS:
        register_event_types(EventGroup(key, label, tuple((f"{key}.{action}", text) for action, text in ACTIONS)))
