"""Host name → tenant for every request, without the domain-and-tenant query per request.

A ``core.generations`` cache: each web process keeps the tenants it routed, and any change to a
tenant or a domain (saves, deletes and queryset updates of both models, wired in
``tenants.models``) retires every process's entries, so a suspension, a plan change, a maintenance
state or a removed domain applies to the very next request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.generations import GenerationCache

# One scope for the whole routing table: tenant changes are rare, requests are not.
SCOPE = "all"
_cache = GenerationCache("tenant-routing")


def cached_tenant(hostname: str, load: Callable[[str], Any]) -> Any:
    """The tenant ``load(hostname)`` returns, this process's copy while no tenant or domain changed.

    ``load`` raises for an unknown or unservable host; nothing is kept then, so a tenant that
    becomes servable is routed at once."""
    return _cache.get(SCOPE, hostname, lambda: load(hostname))


def invalidate() -> None:
    _cache.invalidate(SCOPE)


def replace_generation() -> None:
    """What another process's change does to this one (tests)."""
    _cache.replace_generation(SCOPE)


def forget_local() -> None:
    _cache.forget_local()
