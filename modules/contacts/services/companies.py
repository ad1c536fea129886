"""Companies: create (with duplicate detection), update, delete."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from identity.models import User
from modules.contacts.choices import TimelineKind
from modules.contacts.models import Company, Tag
from modules.contacts.services.duplicates import DuplicateRecords, duplicate_companies
from modules.contacts.services.records import apply_update, check_fields, new_custom_values, record_event, validated
from modules.contacts.services.timeline import record_entry

COMPANY_FIELDS = (
    "name", "website", "industry", "employee_count", "owner", "source", "lifecycle_stage", "description",
    "email", "additional_emails", "phone", "additional_phones",
    "street", "city", "region", "postal_code", "country", "tags", "custom",
)  # fmt: skip


def create_company(*, by: User | None, allow_duplicate: bool = False, **values: Any) -> Company:
    """Create a company owned by ``by`` unless an owner is given. Raises ``DuplicateRecords`` when
    one with a similar name or the same e-mail exists, unless ``allow_duplicate``."""
    tags: list[Tag] = values.pop("tags", None) or []
    check_fields(Company, values, COMPANY_FIELDS)
    values.setdefault("owner", by)
    values["custom"] = new_custom_values(Company, values.get("custom"))
    company = validated(Company(created_by=by, **values))
    if not allow_duplicate:
        candidates = list(duplicate_companies(name=company.name, emails=[company.email, *company.additional_emails]))
        if candidates:
            raise DuplicateRecords("name", candidates, viewer=by)
    with transaction.atomic():
        company.save()
        company.tags.set(tags)
        record_entry(TimelineKind.CREATED, actor=by, company=company)
        record_event("created", company, by=by)
    return company


def update_company(company: Company, *, by: User | None, **values: Any) -> Company:
    with transaction.atomic():
        apply_update(company, values, by=by, allowed=COMPANY_FIELDS, timeline_links={"company": company})
    return company


def delete_company(company: Company, *, by: User | None) -> None:
    """Delete the company; its contacts, deals and activities stay, without the link."""
    with transaction.atomic():
        record_event("deleted", company, by=by, data={"name": company.name})
        company.delete()
