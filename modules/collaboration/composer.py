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

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _

Label = str | Promise
ATTACH_AS = ("file", "link")


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


def picked_from_library(request: Any, picked: str, attach_as: str) -> tuple[str | None, tuple[str, bytes, str] | None]:
    """What a composer's library picker adds for ``picked`` ("<source>:<value>", blank for nothing):
    (a "title: URL" share line for the text, or the file as (name, bytes, type)). Raises
    ValidationError naming ``attach_from`` (or ``attach_as``) for a choice no picker offers,
    PermissionDenied for a source the user may not use, Http404 for an item it does not offer."""
    if not picked:
        return None, None
    if attach_as not in ATTACH_AS:
        raise ValidationError({"attach_as": [_("Send it as the file or as a share link.")]})
    key, _colon, value = picked.partition(":")
    source = source_named(key)
    if source is None:
        raise ValidationError({"attach_from": [_("Choose an item the picker offers.")]})
    if not source.available(request):
        raise PermissionDenied(_("You may not attach from %(source)s.") % {"source": source.label})
    if attach_as == "link" and source.share_link is not None:
        title, url = source.share_link(request, value)
        return f"{title}: {url}", None
    return None, source.attach(request, value)


def picker_choices(request: Any) -> list[tuple[AttachmentSource, list[tuple[str, str]]]]:
    """Each source the user may attach from, with its items as ("<source>:<value>", label)."""
    return [
        (source, [(f"{source.key}:{value}", label) for value, label in source.choices(request)])
        for source in attachment_sources(request)
    ]
