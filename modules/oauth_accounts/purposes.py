"""What a connected account is for, and what happens once the user connected it.

A flow starts for a purpose (``mailbox``, ``calendar``) registered by the module that uses the
account; when the provider sent the user back with tokens, the purpose's ``complete(account)``
creates or mends what it owns (a mailbox, a calendar connection) and returns the page to show."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from modules.oauth_accounts.models import OAuthAccount


@dataclass(frozen=True)
class Purpose:
    name: str
    complete: Callable[[OAuthAccount], str]
    # the page the user returns to when the flow is refused or fails
    back_url: Callable[[], str]
    # what the account is used for, as the connected accounts page says it ("Mailbox")
    label: str | Promise = ""
    # the ids of the user's accounts this purpose uses (one query), so the page offers to
    # reconnect an account for what it serves
    accounts_in_use: Callable[[Any], Iterable[int]] | None = None


_PURPOSES: dict[str, Purpose] = {}


def register_purpose(purpose: Purpose) -> None:
    _PURPOSES[purpose.name] = purpose


def get_purpose(name: str) -> Purpose | None:
    return _PURPOSES.get(name)


def all_purposes() -> list[Purpose]:
    return sorted(_PURPOSES.values(), key=lambda purpose: purpose.name)
