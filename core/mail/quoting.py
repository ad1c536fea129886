"""Where a reply's quoted history begins, so pages can show the new part first (the message keeps
its whole text). Covers the usual markers: "On … wrote:", Outlook's "-----Original Message-----"
and "From: … Sent:" blocks, and a run of "> " lines."""

from __future__ import annotations

import re

MARKERS = [
    re.compile(r"^On .{1,300}wrote:\s*$", re.MULTILINE),
    re.compile(r"^Am .{1,300}schrieb .{0,200}:\s*$", re.MULTILINE),
    re.compile(r"^Le .{1,300}a écrit\s*:\s*$", re.MULTILINE),
    re.compile(r"^-{2,}\s*Original Message\s*-{2,}\s*$", re.MULTILINE | re.IGNORECASE),
    re.compile(r"^_{10,}\s*\n\s*From: ", re.MULTILINE),
    re.compile(r"^From: .{1,300}\n(?:.*\n){0,2}Sent: ", re.MULTILINE),
    re.compile(r"^(?:>.*(?:\n|$)){2,}", re.MULTILINE),
]


def quote_start(text: str) -> int | None:
    """The offset where the quoted history starts, or None when there is none (or it would hide
    everything: a message that is only a quote is shown whole)."""
    starts = [match.start() for pattern in MARKERS if (match := pattern.search(text))]
    if not starts:
        return None
    start = min(starts)
    return start if text[:start].strip() else None


def visible_text(text: str, start: int | None) -> str:
    return text[:start].rstrip() if start else text


# The same markers in sanitised HTML (only tags and ``a href`` survive the allow-list, so the
# mail programs' quote classes and ids are gone): a blockquote, or a marker line's text, from the
# start of the block it stands in.
HTML_MARKERS = [
    re.compile(r"<blockquote\b", re.IGNORECASE),
    re.compile(r"On [^<>]{1,300}wrote:"),
    re.compile(r"Am [^<>]{1,300}schrieb [^<>]{0,200}:"),
    re.compile(r"Le [^<>]{1,300}a écrit\s*:"),
    re.compile(r"-{2,}\s*Original Message\s*-{2,}", re.IGNORECASE),
    re.compile(
        r"(?:<(?:b|strong)>\s*)?From:(?:\s*</(?:b|strong)>)?[^<]{1,300}(?:<[^>]{1,40}>\s*){0,6}"
        r"(?:<(?:b|strong)>\s*)?Sent:"
    ),
]
_BLOCK_START = re.compile(r"<(?:div|p|span)\b[^>]*>\s*$", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def html_quote_start(html: str) -> int | None:
    """The offset in sanitised ``html`` where the quoted history starts (at a tag, so both parts
    can be cleaned again into whole fragments), or None as for ``quote_start``."""
    starts = []
    for pattern in HTML_MARKERS:
        match = pattern.search(html)
        if match is None:
            continue
        start = match.start()
        opening = _BLOCK_START.search(html, max(0, start - 200), start)
        starts.append(opening.start() if opening else start)
    if not starts:
        return None
    start = min(starts)
    return start if _TAG.sub("", html[:start]).strip() else None
