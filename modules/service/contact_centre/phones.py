"""Phone numbers as the provider sees them (E.164, parsed with ``phonenumbers`` in the workspace's
country when a number has no country code) and the records a caller's number belongs to.

Stored numbers are free text typed by people ("030 123 45 67", "+49 (30) 1234567"). A lookup first
narrows in SQL to the records whose phone digits end with the number's national digits, then keeps
those whose number parses to the same E.164 form, so "0049…", "+49…" and "030…" all match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from core.phones import national_digits, to_e164
from modules.workspace.services import default_phone_region

# Enough digits to be a real subscriber number; fewer would match half the address book.
MIN_DIGITS = 6


def _digit_match(table: str, digits: str, *, additional: bool) -> Q:
    """Records whose primary or any additional phone, stripped to digits, ends with ``digits``."""
    pattern = f"%{digits}"
    primary = RawSQL(  # noqa: S611 (the table name is the model's, the digits a parameter)
        f"regexp_replace(\"{table}\".phone, '[^0-9]', '', 'g') LIKE %s", [pattern], output_field=BooleanField()
    )
    if not additional:
        return Q(primary)
    others = RawSQL(  # noqa: S611
        f'EXISTS (SELECT 1 FROM unnest("{table}".additional_phones) AS number '  # noqa: S608 (the model's own table name)
        "WHERE regexp_replace(number, '[^0-9]', '', 'g') LIKE %s)",
        [pattern],
        output_field=BooleanField(),
    )
    return Q(primary) | Q(others)


def _phones_of(record: Any) -> list[str]:
    return [record.phone, *getattr(record, "additional_phones", [])]


def matching(queryset: QuerySet[Any], e164: str, region: str | None, limit: int = 10) -> list[Any]:
    digits = national_digits(e164)
    if len(digits) < MIN_DIGITS:
        return []
    additional = any(field.name == "additional_phones" for field in queryset.model._meta.get_fields())
    candidates = queryset.filter(_digit_match(queryset.model._meta.db_table, digits, additional=additional))[
        : limit * 5
    ]
    return [record for record in candidates if any(to_e164(phone, region) == e164 for phone in _phones_of(record))][
        :limit
    ]


@dataclass(frozen=True)
class Callers:
    contacts: list[Any]
    companies: list[Any]
    leads: list[Any]

    @property
    def all(self) -> list[Any]:
        return [*self.contacts, *self.companies, *self.leads]

    @property
    def best(self) -> Any:
        """The record a call is about: a contact before a company before a lead (None: unknown)."""
        return next(iter(self.all), None)


def find_callers(e164: str, *, with_leads: bool) -> Callers:
    from modules.contacts.models import Company, Contact

    region = default_phone_region()
    contacts = matching(Contact.objects.select_related("company").order_by("-updated_at", "-id"), e164, region)
    companies = matching(Company.objects.order_by("-updated_at", "-id"), e164, region)
    leads: list[Any] = []
    if with_leads:
        from modules.sales.models import Lead

        leads = matching(Lead.objects.order_by("-updated_at", "-id"), e164, region)
    return Callers(contacts, companies, leads)
