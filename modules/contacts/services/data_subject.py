"""Data-subject requests: everything held about one contact as JSON (access and portability) and
the contact's erasure, across every module.

Both walk the rows that point at the contact (``Contact._meta.related_objects``), whatever module
defines them, so a module's new table is exported and unlinked without being listed here. What a
foreign key does not reach (the messages of the contact's cases, the raw e-mail the contact sent)
or what must be scrubbed rather than deleted (a won deal's activity, a case kept for the agents'
statistics) each module registers as ``SubjectData`` from its ``AppConfig.ready()``.

Erasure, in one transaction: the registered scrubbers run first, then the contact's timeline and
outbox history lose what they said about the contact, then the contact row is deleted — rows that
cascade with it (notes, files, memberships, portal account) go too, business records that outlive
it (deals, quotes, orders, cases) stay unlinked. The audit log keeps that an erasure happened and
by whom, naming the contact by id only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import ForeignObjectRel
from django.utils import timezone
from django.utils.translation import gettext as _

from customization.events.models import DomainEvent
from customization.events.outbox import emit
from identity.models import User
from identity.services.audit import audit
from modules.contacts.models import Contact, TimelineEntry
from modules.contacts.relations import incoming_relations, related_model_of
from tenants.services.erasures import remember_erasure

EXPORT_FORMAT = "relata.data-subject/1"
# Rows of one kind in an export; a contact with more is told so in ``truncated``.
MAX_ROWS_PER_KIND = 10_000
# Columns that are credentials or their hashes, never part of an export.
SECRET_COLUMN = re.compile(r"(password|secret|token|_hash$|_encrypted$|^key$|session_key)", re.IGNORECASE)


@dataclass(frozen=True)
class SubjectData:
    """What a module adds to a contact's export and erasure beyond the rows pointing at it.

    ``export(contact)`` gives JSON-ready rows under ``key``; ``erase(contact, by)`` scrubs what
    must not outlive the contact and returns how many rows it changed or deleted (it runs inside
    the erasure's transaction, before the contact row is deleted)."""

    key: str
    export: Callable[[Contact], list[dict[str, Any]]] | None = None
    erase: Callable[[Contact, User | None], int] | None = None


_PARTS: dict[str, SubjectData] = {}


def register_subject_data(part: SubjectData) -> None:
    _PARTS[part.key] = part


def registered_parts() -> tuple[SubjectData, ...]:
    return tuple(_PARTS.values())


def row(instance: models.Model) -> dict[str, Any]:
    """A row's stored values (foreign keys as ids), credentials and search vectors left out."""
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if SECRET_COLUMN.search(field.name) or isinstance(field, models.GeneratedField):
            continue
        values[field.attname] = getattr(instance, field.attname)
    return values


def _relations() -> list[ForeignObjectRel]:
    return incoming_relations(Contact)


def _related_rows(contact: Contact) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    related: dict[str, list[dict[str, Any]]] = {}
    truncated: list[str] = []
    for relation in _relations():
        model = related_model_of(relation)
        key = model._meta.label_lower
        rows = list(
            model._default_manager.filter(**{relation.field.name: contact}).order_by("pk")[: MAX_ROWS_PER_KIND + 1]
        )
        if len(rows) > MAX_ROWS_PER_KIND:
            truncated.append(key)
            rows = rows[:MAX_ROWS_PER_KIND]
        if rows:
            related.setdefault(key, []).extend(row(item) for item in rows)
    return related, truncated


def export_contact(contact: Contact, *, by: User | None) -> dict[str, Any]:
    """Everything held about ``contact``: its record, its tags, every row pointing at it and what
    the modules registered. JSON-ready through ``DjangoJSONEncoder`` (``export_json``)."""
    related, truncated = _related_rows(contact)
    for part in registered_parts():
        if part.export is not None:
            rows = part.export(contact)
            if rows:
                related[part.key] = rows
    audit(
        "contact.personal_data_exported",
        _("The personal data of contact %(id)s was exported.") % {"id": contact.pk},
        by=by,
        system="privacy",
        target=f"contact:{contact.pk}",
        details={"kinds": sorted(related), "rows": sum(len(rows) for rows in related.values())},
    )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now(),
        "contact": {**row(contact), "tags": sorted(contact.tags.values_list("name", flat=True))},
        "related": related,
        "truncated": truncated,
    }


def export_json(contact: Contact, *, by: User | None) -> str:
    import json

    return json.dumps(export_contact(contact, by=by), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def held_counts(contact: Contact) -> list[tuple[str, int]]:
    """How many rows of each kind point at ``contact`` (the page shown before an export or erasure)."""
    counts = []
    for relation in _relations():
        model = related_model_of(relation)
        count = model._default_manager.filter(**{relation.field.name: contact}).count()
        if count:
            counts.append((str(model._meta.verbose_name_plural), count))
    return sorted(counts)


@dataclass(frozen=True)
class Erasure:
    contact_id: int
    scrubbed: dict[str, int]
    deleted: dict[str, int]


def erase_contact(contact: Contact, *, by: User | None) -> Erasure:
    """Erase ``contact`` (see the module's docstring); all or nothing."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        pk = contact.pk
        scrubbed = {part.key: part.erase(contact, by) for part in registered_parts() if part.erase is not None}
        scrubbed["timeline"] = TimelineEntry.objects.filter(contact=contact).delete()[0]
        # What the outbox said about the contact (names, changed values) goes; the events stay so
        # that their consumers' bookkeeping holds.
        scrubbed["events"] = DomainEvent.objects.filter(entity="contact", record_id=pk).update(data={})
        emit("contact.deleted", contact, entity="contact", actor=by, data={"erased": True})
        _total, deleted = contact.delete()
        remember_erasure("contact", pk)
        audit(
            "contact.erased",
            _("Contact %(id)s was erased.") % {"id": pk},
            by=by,
            system="privacy",
            target=f"contact:{pk}",
            details={"scrubbed": scrubbed, "deleted": {key: count for key, count in deleted.items() if count}},
        )
    return Erasure(contact_id=pk, scrubbed=scrubbed, deleted={key: count for key, count in deleted.items() if count})


def erase_contact_again(pk: int) -> bool:
    """Erase contact ``pk`` once more after a restore brought it back (``tenants.services.erasures``);
    False when the restored data does not hold it."""
    contact = Contact.objects.filter(pk=pk).first()
    if contact is None:
        return False
    erase_contact(contact, by=None)
    return True
