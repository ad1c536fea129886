"""Saving an analysis's customers as a list of contacts that another module keeps — the marketing
module's static segments — in one action.

The module that keeps such lists registers a ``ContactListTarget`` from its ``AppConfig.ready()``,
so analytics imports none of them. A customer set holds companies and contacts
(``sets.RecordSet``); the list gets the set's contacts and the contacts of its companies, as far as
the user may see them, worked out in one query and written by the target in one statement.

``save_selection`` is the action the page and the APIs share: it checks the selection, that the
count the user confirmed is still the count, and has the target create the list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from identity.models import User
from modules.analytics.acting.sets import READ_LIMIT, RecordSet
from modules.analytics.customer_value.customers import COMPANY, CONTACT
from modules.contacts.models import Contact
from modules.contacts.selectors.lists import visible_contacts
from modules.registry import enabled_module_keys


@dataclass(frozen=True)
class SavedList:
    """A list a target created: its id and its page's URL."""

    pk: int
    url: str


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
    # in one transaction and returns it as a ``SavedList``; a refusal is a ValidationError naming
    # ``name``.
    save: Callable[..., SavedList]
    # The API record type the list is (``api.entities``), so the APIs can link to it.
    entity: str = ""


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


def check_selection(selection: RecordSet) -> None:
    """Only customers, companies and contacts have contacts; a set too large to read whole is refused
    rather than saved in part (a ValidationError naming the selection's parameter)."""
    named = next(iter(selection.params), "set")
    if set(selection.entities()) - {COMPANY, CONTACT}:
        raise ValidationError({named: [_("Only companies and contacts can be saved as a list of contacts.")]})
    if any(len(selection.ids.get(kind, [])) >= READ_LIMIT for kind in (COMPANY, CONTACT)):
        raise ValidationError({named: [_("The selection holds more than 5,000 records; narrow it first.")]})


def default_name(selection: RecordSet) -> str:
    """What the list is called unless the user names it: the selection and today's date."""
    return f"{selection.label} ({formats.date_format(timezone.localdate(), 'SHORT_DATE_FORMAT')})"


def save_selection(
    target: ContactListTarget, selection: RecordSet, user: User, *, name: str, expected_count: int | None
) -> tuple[SavedList, int]:
    """Create ``target``'s list of the selection's contacts ``user`` may see, named ``name``; the
    list and how many contacts it holds. ``expected_count`` is the count the user confirmed (the
    APIs may leave it out): a selection that changed meanwhile is refused naming it, a taken or
    empty name names ``name``; nothing is written then. The caller checked the plan and permission."""
    check_selection(selection)
    contacts = contacts_of(selection, user)
    count = contacts.count()
    if not count:
        named = next(iter(selection.params), "set")
        raise ValidationError({named: [_("The selection holds no contacts you may see.")]})
    if expected_count is not None and expected_count != count:
        raise ValidationError(
            {
                "expected_count": [
                    _("The selection changed meanwhile: it now holds %(count)s contacts.") % {"count": count}
                ]
            }
        )
    today = formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT")
    description = _("From analytics: %(selection)s, %(day)s.") % {"selection": selection.label, "day": today}
    saved = target.save(name=" ".join(name.split()), description=description, contacts=contacts, by=user)
    return saved, count
