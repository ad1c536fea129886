"""The one guard against formula injection, for every spreadsheet-bound file a tenant downloads
(exports, the import error report, the audit log download)."""

from __future__ import annotations

# Spreadsheet programs run a CSV cell that starts with one of these as a formula (CSV/formula
# injection): such text is written with a leading apostrophe, which they show as plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """``text`` as a spreadsheet will show it, never run it (formula injection neutralised)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
