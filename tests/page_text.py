"""The text people read in a part of a page, whatever markup surrounds it (inline-editable values
carry their editor's buttons and attributes)."""

from __future__ import annotations

import html as html_module
import re


def readable(fragment: str) -> str:
    """``fragment`` without tags, entities decoded, white space folded."""
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def texts_after(page: str, marker: str, end: str) -> list[str]:
    """The readable text between each ``marker`` and the next ``end`` in ``page``, in page order."""
    return [readable(part.split(end, 1)[0]) for part in page.split(marker)[1:]]


def text_after(page: str, marker: str, end: str) -> str:
    """The readable text between the only ``marker`` and the next ``end``."""
    found = texts_after(page, marker, end)
    assert len(found) == 1, f"{marker!r} stands {len(found)} times in the page"
    return found[0]
