"""The registry of OAuth2 providers a user can connect an account of.

A provider says how its authorization-code flow runs (its authorize and token endpoints, the
scopes asked, extra authorize parameters) and how the connected account's address is read once
tokens are in hand. Endpoints and client credentials come from ``settings.OAUTH_PROVIDERS[name]``
(read at every use), so a deployment configures its own app registration and tests point the
platform at local servers speaking the same protocol. A provider without a ``client_id`` is not
offered."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.functional import Promise


@dataclass(frozen=True)
class TokenAnswer:
    """What a token endpoint answered (RFC 6749 §5.1), as the provider's reader sees it."""

    access_token: str
    refresh_token: str
    expires_in: int
    scopes: list[str]
    raw: Mapping[str, Any]


@dataclass(frozen=True)
class Provider:
    """``read_email(answer)`` returns the address of the account the tokens belong to (it may call
    the provider's API with ``answer.access_token``); ``authorize_params`` are added to the
    authorize URL (e.g. Google's ``access_type=offline``)."""

    name: str
    label: str | Promise
    scopes: tuple[str, ...]
    read_email: Callable[[TokenAnswer], str]
    authorize_params: Mapping[str, str] = field(default_factory=dict)

    @property
    def config(self) -> Mapping[str, str]:
        return getattr(settings, "OAUTH_PROVIDERS", {}).get(self.name, {})

    def endpoint(self, key: str) -> str:
        """``authorize_url``, ``token_url``, ``api_url`` or ``revoke_url`` ('' when not set)."""
        return str(self.config.get(key, "") or "")

    @property
    def client_id(self) -> str:
        return str(self.config.get("client_id", "") or "")

    @property
    def client_secret(self) -> str:
        return str(self.config.get("client_secret", "") or "")

    @property
    def enabled(self) -> bool:
        return bool(self.client_id and self.endpoint("authorize_url") and self.endpoint("token_url"))


_PROVIDERS: dict[str, Provider] = {}


def register_provider(provider: Provider) -> None:
    _PROVIDERS[provider.name] = provider


def get_provider(name: str) -> Provider | None:
    return _PROVIDERS.get(name)


def enabled_providers() -> list[Provider]:
    return [provider for provider in _PROVIDERS.values() if provider.enabled]
