"""The events an endpoint can subscribe to: what the record services write to the outbox, and
the events modules register about other records (``customization.events.catalogue``)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from customization.events.catalogue import registered_event_groups
from customization.fields.choices import Entity

# The message "Send test event" sends; never produced by the outbox, not subscribable.
TEST_EVENT_TYPE = "webhook.test"

_COMMON: tuple[tuple[str, Promise], ...] = (
    ("created", _("created")),
    ("updated", _("updated")),
    ("deleted", _("deleted")),
)
_EXTRA: dict[str, tuple[tuple[str, Promise], ...]] = {
    Entity.COMPANY: (("merged", _("merged")),),
    Entity.CONTACT: (("merged", _("merged")),),
    Entity.LEAD: (("converted", _("converted")),),
    Entity.DEAL: (("stage_changed", _("stage changed")),),
    Entity.ACTIVITY: (("completed", _("completed")), ("cancelled", _("cancelled"))),
    Entity.ORDER: (("status_changed", _("status changed")),),
    Entity.CASE: (
        ("status_changed", _("status changed")),
        ("solved", _("solved")),
        ("message_added", _("message added")),
        ("merged", _("merged")),
        ("split", _("split")),
        ("sla_warning", _("SLA target near")),
        ("sla_breached", _("SLA target missed")),
    ),
    Entity.CAMPAIGN: (
        ("member_added", _("member added")),
        ("member_status_changed", _("member status changed")),
        ("member_removed", _("member removed")),
    ),
}


# Record types without custom fields whose services write only some events: a quote is shared
# with its customer, who accepts or declines it on its public page; notes and files are written on
# records (``modules.collaboration``), and their events name that record in ``data.record``.
_OTHER: tuple[tuple[str, Promise, tuple[tuple[str, Promise], ...]], ...] = (
    ("quote", _("Quote"), (("shared", _("shared")), ("accepted", _("accepted")), ("declined", _("declined")))),
    ("note", _("Note"), _COMMON),
    ("attachment", _("File"), (("created", _("created")), ("deleted", _("deleted")))),
)


def record_type_choices() -> list[tuple[str, str]]:
    """The record types an endpoint can filter on: those with events (a registered group's events
    name one of these, e.g. a contact)."""
    return [(str(entity), str(label)) for entity, label in Entity.choices] + [
        (entity, str(label)) for entity, label, _actions in _OTHER
    ]


def event_types_by_entity() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """[(entity, entity label, [(event type, action label), …]), …] in a stable order."""
    actions = {str(entity): (*_COMMON, *_EXTRA[entity]) for entity, _label in Entity.choices}
    actions.update({entity: types for entity, _label, types in _OTHER})
    own = [
        (entity, label, [(f"{entity}.{action}", str(action_label)) for action, action_label in actions[entity]])
        for entity, label in record_type_choices()
    ]
    registered = [
        (group.key, str(group.label), [(event_type, str(label)) for event_type, label in group.types])
        for group in registered_event_groups()
    ]
    return own + registered


def known_event_types() -> set[str]:
    return {event_type for _entity, _label, types in event_types_by_entity() for event_type, _action in types}


def entity_of(event_type: str) -> str:
    return event_type.split(".", 1)[0]
