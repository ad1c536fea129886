"""What the home page shows, contributed by the modules: cards, onboarding checklist items and the
kinds of record the "recent records" card can name.

A module registers its contributions in its ``AppConfig.ready()``; this package never imports a
module. The home page shows a card only when its module is enabled for the tenant and the user's
role holds its permission; a card's context function may still hide it by returning None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise

from modules.registry import MODULES_BY_KEY, enabled_module_keys

if TYPE_CHECKING:
    from identity.models import User
    from modules.home.scope import Scope


@dataclass(frozen=True)
class HomeCard:
    """A card of the home page.

    ``context(request, user, scope)`` gives the template its data, or None to leave the card out
    (nothing to say, e.g. an empty checklist). ``module`` None means the platform's own card.
    ``wide`` cards take two columns on large screens.
    """

    key: str
    title: str | Promise
    template: str
    context: Callable[[HttpRequest, User, Scope], dict[str, Any] | None]
    module: str | None = None
    permission: str | None = None
    order: int = 100
    wide: bool = False


@dataclass(frozen=True)
class ChecklistItem:
    """One step of a new workspace's onboarding, ticked from real state by ``done()``."""

    key: str
    title: str | Promise
    description: str | Promise
    url_name: str
    done: Callable[[], bool]
    module: str | None = None
    order: int = 100


@dataclass(frozen=True)
class RecentKind:
    """A record type the recent-records card can name: ``visible(user)`` is the queryset the user
    may open (the module's own visibility rule), ``url_name`` its page taking the record's pk."""

    key: str
    model: str  # "app_label.Model"
    label: str | Promise
    url_name: str
    icon: str
    visible: Callable[[User], QuerySet[Any]]
    module: str
    title: Callable[[Any], str] = str


_cards: dict[str, HomeCard] = {}
_checklist: dict[str, ChecklistItem] = {}
_recent_kinds: dict[str, RecentKind] = {}


class RegistryError(ValueError):
    pass


def _check_module(key: str | None) -> None:
    if key is not None and key not in MODULES_BY_KEY:
        raise RegistryError(f"unknown module {key!r}")


def register_card(card: HomeCard) -> None:
    _check_module(card.module)
    if card.key in _cards and _cards[card.key] != card:
        raise RegistryError(f"home card {card.key!r} is registered twice")
    _cards[card.key] = card


def register_checklist_item(item: ChecklistItem) -> None:
    _check_module(item.module)
    if item.key in _checklist and _checklist[item.key] != item:
        raise RegistryError(f"checklist item {item.key!r} is registered twice")
    _checklist[item.key] = item


def register_recent_kind(kind: RecentKind) -> None:
    _check_module(kind.module)
    if kind.key in _recent_kinds and _recent_kinds[kind.key] != kind:
        raise RegistryError(f"recent kind {kind.key!r} is registered twice")
    _recent_kinds[kind.key] = kind


def unregister(key: str) -> None:
    """Take a card, checklist item or recent kind out again (tests registering their own)."""
    _cards.pop(key, None)
    _checklist.pop(key, None)
    _recent_kinds.pop(key, None)


def _module_on(tenant: object, module: str | None) -> bool:
    return module is None or module in enabled_module_keys(tenant)


def cards_for(tenant: object, user: Any) -> list[HomeCard]:
    """The cards ``user`` may see on ``tenant``, in order."""
    shown = [
        card
        for card in _cards.values()
        if _module_on(tenant, card.module)
        and (card.module is None or user.has_perm(f"{card.module}.view"))
        and (card.permission is None or user.has_perm(card.permission))
    ]
    return sorted(shown, key=lambda card: (card.order, card.key))


def checklist_for(tenant: object) -> list[ChecklistItem]:
    """The onboarding steps of the tenant's enabled modules, in order."""
    items = [item for item in _checklist.values() if _module_on(tenant, item.module)]
    return sorted(items, key=lambda item: (item.order, item.key))


def recent_kinds_for(tenant: object, user: Any) -> dict[str, RecentKind]:
    """Record kinds whose module the tenant has and whose records the user's role may view."""
    return {
        key: kind
        for key, kind in _recent_kinds.items()
        if _module_on(tenant, kind.module) and user.has_perm(f"{kind.module}.view")
    }


def recent_kind_of(record: Model) -> RecentKind | None:
    label = record._meta.label
    return next((kind for kind in _recent_kinds.values() if kind.model == label), None)
