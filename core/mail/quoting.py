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
