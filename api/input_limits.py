"""How long a text a list may be asked to filter by, shared by REST query parameters and GraphQL
arguments: a search of a megabyte of words would keep the database busy for minutes, and no
filter value of ours is that long."""

from __future__ import annotations

from django.utils.translation import gettext as _

MAX_FILTER_TEXT = 255  # the longest name, e-mail or tag a filter compares with; searches too
MAX_LONG_PARAMETER = 2_000  # cursors, field lists and custom-field values (a URL is at most 2,000)
LONG_PARAMETERS = frozenset({"cursor", "after", "before", "fields", "custom"})
LONG_PREFIXES = ("custom.",)


def max_length(name: str) -> int:
    """The most characters the parameter or argument ``name`` may hold."""
    if name in LONG_PARAMETERS or name.startswith(LONG_PREFIXES):
        return MAX_LONG_PARAMETER
    return MAX_FILTER_TEXT


def too_long_message(name: str, length: int) -> str | None:
    """Why a value of ``length`` characters is refused for ``name``, or None when it is not too long."""
    limit = max_length(name)
    if length <= limit:
        return None
    return _("%(name)s may be at most %(limit)s characters long; this one has %(length)s.") % {
        "name": name,
        "limit": limit,
        "length": length,
    }
