"""Every URL pattern of a URL configuration, found by walking its resolver: the page and route
sweeps are built on this walk, so a new URL is checked without being listed."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    pattern: URLPattern
    route: str  # the pattern's text from where the walk started, e.g. "deals/<int:pk>/"
    namespace: str  # the namespaces it is included under, joined with ":"

    @property
    def name(self) -> str:
        """The URL name as ``reverse`` takes it (``"None"`` for an unnamed pattern)."""
        return f"{self.namespace}:{self.pattern.name}" if self.namespace else str(self.pattern.name)


def walk_routes(patterns: Sequence[URLPattern | URLResolver], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    """Every URL pattern under ``patterns``, included ones too, ``prefix`` before each route."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            yield from walk_routes(pattern.url_patterns, route, inner)
        else:
            yield Route(pattern, route, namespace)


def url_routes(urlconf: str | None = None) -> Iterator[Route]:
    """Every URL pattern of ``urlconf`` (None: the current one)."""
    return walk_routes(get_resolver(urlconf).url_patterns)
