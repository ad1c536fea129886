"""The keys lists are stored under (a saved view's ``entity``). The contacts app's enum names the
core record types; every other module registers its lists' keys here when it declares them, so a
module adds a list without touching a central enum or a migration, and two lists can never share
a key (each would see the other's saved views)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from modules.contacts.choices import SavedViewEntity

MAX_KEY_LENGTH = 20  # SavedView.entity's length

_KEYS: set[str] = set(SavedViewEntity.values)


def register_list_key(key: str) -> str:
    """Claim ``key`` for one list declaration and return it; a key already claimed (or too long
    for a saved view) is a programming error caught when the declaring module is imported."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ImproperlyConfigured(f"List key {key!r} must have 1 to {MAX_KEY_LENGTH} characters.")
    if key in _KEYS:
        raise ImproperlyConfigured(f"List key {key!r} is declared twice.")
    _KEYS.add(key)
    return key


def registered_list_keys() -> frozenset[str]:
    return frozenset(_KEYS)
