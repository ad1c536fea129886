"""Merging duplicates: the survivor takes over every related record, the duplicate's history and its
missing details; the duplicate is deleted and a "merged" entry keeps what it was."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from identity.models import User
from modules.contacts.choices import TimelineKind
from modules.contacts.models import Company, Contact
from modules.contacts.relations import incoming_relations, related_model_of
from modules.contacts.services.records import record_event
from modules.contacts.services.timeline import display_value, record_entry

R = TypeVar("R", Company, Contact)

# Details the survivor takes from the duplicate when its own are empty.
FILLABLE = {
    Company: ("website", "industry", "employee_count", "owner", "source", "description", "email", "phone",
              "street", "city", "region", "postal_code", "country"),
    Contact: ("job_title", "department", "company", "owner", "source", "description", "email", "phone",
              "street", "city", "region", "postal_code", "country"),
}  # fmt: skip


def merge_companies(survivor: Company, duplicate: Company, *, by: User | None) -> Company:
    return _merge(survivor, duplicate, by=by, link="company")


def merge_contacts(survivor: Contact, duplicate: Contact, *, by: User | None) -> Contact:
    return _merge(survivor, duplicate, by=by, link="contact")


def _merge(survivor: R, duplicate: R, *, by: User | None, link: str) -> R:
    if survivor.pk == duplicate.pk:
        raise ValidationError({"duplicate": [_("A record cannot be merged into itself.")]})
    model = type(survivor)
    with transaction.atomic():
        # Lock both rows in id order so two merges of the same pair cannot interleave.
        locked = {
            obj.pk: obj
            for obj in model.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk]).order_by("pk")
        }
        if len(locked) != 2:
            raise ValidationError({"duplicate": [_("The record to merge no longer exists.")]})
        survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
        snapshot = {key: display_value(value) for key, value in model_to_dict(duplicate, exclude=["tags"]).items()}
        snapshot["tags"] = [tag.name for tag in duplicate.tags.all()]
        moved = _move_related(model, duplicate, survivor)
        _fill_blanks(survivor, duplicate)
        survivor.tags.add(*duplicate.tags.all())
        merged_name, merged_id = str(duplicate), duplicate.pk
        # The duplicate goes first: its unique custom values may move to the survivor.
        duplicate.delete()
        survivor.save()
        links: dict[str, Any] = {link: survivor}
        if link == "contact":
            links["company"] = getattr(survivor, "company", None)
        record_entry(
            TimelineKind.MERGED,
            actor=by,
            data={"merged": merged_name, "merged_id": merged_id, "snapshot": snapshot, "moved": moved},
            **links,
        )
        record_event("merged", survivor, by=by, data={"merged_id": merged_id, "merged": merged_name})
    return survivor


def _move_related(model: type[models.Model], duplicate: models.Model, survivor: models.Model) -> dict[str, int]:
    """Point every foreign key at the duplicate to the survivor, whatever module defines it (those
    without a reverse accessor too: calls, follows). A row that would then break a uniqueness rule
    (both in the same segment, both followed by the same user, a one-to-one the survivor already
    has) stays with the duplicate and goes with it."""
    moved: dict[str, int] = {}
    # Tags and other many-to-many memberships are handled by the caller.
    for relation in incoming_relations(model):
        related_model = related_model_of(relation)
        field_name = relation.field.name
        manager = related_model._base_manager
        rows = manager.filter(**{field_name: duplicate})
        for others in _unique_with(related_model, field_name):
            survivors_rows = manager.filter(**{field_name: survivor})
            if not others:
                rows = rows.none() if survivors_rows.exists() else rows
                continue
            rows = rows.exclude(Exists(survivors_rows.filter(**{name: OuterRef(name) for name in others})))
        count = rows.update(**{field_name: survivor})
        if count:
            moved[f"{related_model._meta.label_lower}.{field_name}"] = count
    return moved


def _unique_with(related_model: type[models.Model], field_name: str) -> list[tuple[str, ...]]:
    """The other fields of each uniqueness rule that includes ``field_name`` (empty: the field is
    unique on its own, a one-to-one). Rules on expressions are left to the database."""
    field = related_model._meta.get_field(field_name)
    groups: list[tuple[str, ...]] = [()] if getattr(field, "unique", False) else []
    for constraint in related_model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and field_name in constraint.fields:
            groups.append(tuple(name for name in constraint.fields if name != field_name))
    for together in related_model._meta.unique_together:
        if field_name in together:
            groups.append(tuple(name for name in together if name != field_name))
    return groups


def _fill_blanks(survivor: Any, duplicate: Any) -> None:
    for name in FILLABLE[type(survivor)]:
        if getattr(survivor, name) in (None, "") and getattr(duplicate, name) not in (None, ""):
            setattr(survivor, name, getattr(duplicate, name))
    if hasattr(survivor, "first_name") and not survivor.first_name and duplicate.first_name:
        survivor.first_name = duplicate.first_name
    emails = [e for e in [duplicate.email, *duplicate.additional_emails] if e and e.lower() != survivor.email.lower()]
    survivor.additional_emails = list(dict.fromkeys([*survivor.additional_emails, *emails]))
    phones = [p for p in [duplicate.phone, *duplicate.additional_phones] if p and p != survivor.phone]
    survivor.additional_phones = list(dict.fromkeys([*survivor.additional_phones, *phones]))
    survivor.custom = {**(duplicate.custom or {}), **(survivor.custom or {})}
