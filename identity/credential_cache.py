"""A tenant's API keys with their users and roles, without a query per API request.

A ``core.generations`` cache scoped by the tenant's schema (keys live in the tenant's schema, so
one tenant's entries never answer another's): any change to an API key, a user or a role of the
tenant (saves, deletes and queryset updates, wired in ``identity.models``) retires every web
process's entries of that tenant, so a revocation, a deactivated user or a role's narrower
permissions apply to the very next request. The secret, expiry and revocation are still checked
on every request (``identity.services.api_keys.authenticate_api_key``); only the row is reused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.generations import SchemaGenerationCache

_cache = SchemaGenerationCache("api-credentials")


class _Unknown(Exception):
    """No such key: not cached, so a key created later is found at once."""


def cached_api_key(key_id: str, load: Callable[[], Any]) -> Any:
    """``load()`` (the key row with its user and role, or None), this process's copy while unchanged."""

    def load_known() -> Any:
        api_key = load()
        if api_key is None:
            raise _Unknown
        return api_key

    try:
        return _cache.get_current(key_id, load_known)
    except _Unknown:
        return None


# Retire this tenant's entries in every process (a signal receiver as well).
invalidate = _cache.invalidate_current
forget_local = _cache.forget_local
