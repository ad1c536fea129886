"""Contacts: create (with duplicate detection), update, delete."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from identity.models import User
from modules.contacts.choices import TimelineKind
from modules.contacts.models import Contact, Tag, join_name
from modules.contacts.services.duplicates import DuplicateRecords, duplicate_contacts
from modules.contacts.services.records import apply_update, check_fields, new_custom_values, record_event, validated
from modules.contacts.services.timeline import record_entry

CONTACT_FIELDS = (
    "first_name", "last_name", "job_title", "department", "company", "owner", "source", "lifecycle_stage",
    "description", "email", "additional_emails", "phone", "additional_phones",
    "street", "city", "region", "postal_code", "country", "tags", "custom",
)  # fmt: skip


def _require_a_name(contact: Contact) -> None:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if not contact.first_name.strip() and not contact.last_name.strip():
        raise ValidationError({"last_name": [_("A contact needs a first or a last name.")]})


def create_contact(*, by: User | None, allow_duplicate: bool = False, **values: Any) -> Contact:
    """Create a contact owned by ``by`` unless an owner is given. Raises ``DuplicateRecords`` when one
    with the same e-mail or a similar name exists, unless ``allow_duplicate``."""
    tags: list[Tag] = values.pop("tags", None) or []
    check_fields(Contact, values, CONTACT_FIELDS)
    values.setdefault("owner", by)
    values["custom"] = new_custom_values(Contact, values.get("custom"))
    contact = Contact(created_by=by, **values)
    contact.full_name = join_name(contact.first_name, contact.last_name)
    _require_a_name(contact)
    validated(contact, exclude=["full_name"])
    if not allow_duplicate:
        candidates = list(
            duplicate_contacts(full_name=contact.full_name, emails=[contact.email, *contact.additional_emails])
        )
        if candidates:
            field = (
                "email"
                if contact.email and any(c.email.lower() == contact.email.lower() for c in candidates)
                else "last_name"
            )
            raise DuplicateRecords(field, candidates, viewer=by)
    with transaction.atomic():
        contact.save()
        contact.tags.set(tags)
        record_entry(TimelineKind.CREATED, actor=by, contact=contact, company=contact.company)
        record_event("created", contact, by=by)
    return contact


def update_contact(contact: Contact, *, by: User | None, **values: Any) -> Contact:
    with transaction.atomic():
        apply_update(
            contact,
            values,
            by=by,
            allowed=CONTACT_FIELDS,
            timeline_links={"contact": contact, "company": values.get("company", contact.company)},
        )
        _require_a_name(contact)
    return contact


def delete_contact(contact: Contact, *, by: User | None) -> None:
    with transaction.atomic():
        record_event("deleted", contact, by=by, data={"name": contact.full_name})
        contact.delete()
