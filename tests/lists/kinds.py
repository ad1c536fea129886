"""The record types on the list framework, as the list tests drive them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Model

from modules.contacts.models import Company, Contact
from modules.sales.models import Deal, Lead
from tests.factories import CompanyFactory, ContactFactory, DealFactory, LeadFactory


@dataclass(frozen=True)
class Kind:
    key: str
    path: str  # the list's URL
    model: type[Model]
    make: Callable[..., Model]  # make(name, owner=...)
    name_sort: str  # the sort parameter ordering by name
    edit: tuple[str, str, Any]  # (action, posted value, stored value) of an "edit a field" action
    edit_field: str
    activity_link: str

    @property
    def bulk(self) -> str:
        return f"{self.path}bulk/"


def _person(factory: Any) -> Callable[..., Model]:
    return lambda name, **values: factory(first_name=name, last_name="Row", **values)


KINDS = {
    "company": Kind("company", "/companies/", Company, lambda name, **v: CompanyFactory(name=name, **v), "name",
                    ("edit:lifecycle_stage", "customer", "customer"), "lifecycle_stage", "company"),
    "contact": Kind("contact", "/contacts/", Contact, _person(ContactFactory), "full_name",
                    ("edit:lifecycle_stage", "customer", "customer"), "lifecycle_stage", "contact"),
    "lead": Kind("lead", "/leads/", Lead, _person(LeadFactory), "name",
                 ("edit:status", "qualified", "qualified"), "status", "lead"),
    "deal": Kind("deal", "/deals/", Deal, lambda name, **v: DealFactory(name=name, **v), "name",
                 ("edit:expected_close_date", "2031-05-17", date(2031, 5, 17)), "expected_close_date", "deal"),
}  # fmt: skip
