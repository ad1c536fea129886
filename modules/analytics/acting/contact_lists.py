"""Saving an analysis's customers as a list of contacts that another module keeps — the marketing
module's static segments — in one action.

The module that keeps such lists registers a ``ContactListTarget`` from its ``AppConfig.ready()``,
so analytics imports none of them. A customer set holds companies and contacts
(``sets.RecordSet``); the list gets the set's contacts and the contacts of its companies, as far as
the user may see them, worked out in one query and written by the target in one statement."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.functional import Promise

from identity.models import User
from modules.analytics.acting.sets import RecordSet
from modules.analytics.customer_value.customers import COMPANY, CONTACT
from modules.contacts.models import Contact
from modules.contacts.selectors.lists import visible_contacts
from modules.registry import enabled_module_keys


@dataclass(frozen=True)
class ContactListTarget:
    key: str
    # What the new list is called in the module that keeps it ("Marketing segment").
    label: str | Promise
    # The modules besides analytics that must be in the plan.
    needs: tuple[str, ...]
    # The permission creating such a list takes.
    permission: str
    # ``save(name=, description=, contacts=, by=)`` creates the list with ``contacts`` (a queryset)
    # in one transaction and returns its page's URL; a refusal is a ValidationError naming ``name``.
    save: Callable[..., str]


_TARGETS: dict[str, ContactListTarget] = {}


def register_contact_list_target(target: ContactListTarget) -> None:
    _TARGETS[target.key] = target


def available_targets(tenant: object, user: User) -> list[ContactListTarget]:
    """The targets ``user`` may save to on ``tenant``: their modules in the plan, permission held."""
    enabled = enabled_module_keys(tenant)
    return [
        target
        for key, target in sorted(_TARGETS.items())
        if set(target.needs) <= enabled and user.has_perm(target.permission)
    ]


def target_named(key: str) -> ContactListTarget | None:
    return _TARGETS.get(key)


def contacts_of(selection: RecordSet, user: User) -> QuerySet[Contact]:
    """The contacts of ``selection`` that ``user`` may see: its contacts and its companies' ones."""
    return visible_contacts(user).filter(
        Q(pk__in=selection.ids.get(CONTACT, [])) | Q(company_id__in=selection.ids.get(COMPANY, []))
    )
