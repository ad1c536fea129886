"""Files a composer can attach from another module's library, without the composer importing it.

A module with such a library (the marketing collateral) registers an ``AttachmentSource`` from its
``AppConfig.ready()``; a composer (the case reply) lists the sources available to the request
and, on sending, asks the chosen one for the file or for a share link. ``available`` answers the
plan and the permission; ``attach`` and ``share_link`` raise ``Http404`` for a value that names
nothing the user may use and ``ValidationError`` for one that cannot be sent (no file)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

Label = str | Promise


@dataclass(frozen=True)
class AttachmentSource:
    key: str
    label: Label
    available: Callable[[Any], bool]  # request → may this user attach from here?
    choices: Callable[[Any], list[tuple[str, str]]]  # request → (value, label) the picker offers
    attach: Callable[[Any, str], tuple[str, bytes, str]]  # request, value → (file name, bytes, type)
    share_link: Callable[[Any, str], tuple[str, str]] | None = None  # request, value → (title, URL)


_SOURCES: dict[str, AttachmentSource] = {}


def register_attachment_source(source: AttachmentSource) -> None:
    _SOURCES[source.key] = source


def attachment_sources(request: Any) -> list[AttachmentSource]:
    """The sources the request's user may attach from, in registration order."""
    return [source for source in _SOURCES.values() if source.available(request)]


def source_named(key: str) -> AttachmentSource | None:
    return _SOURCES.get(key)
