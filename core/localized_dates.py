"""Date inputs in the reader's own format.

A browser's ``<input type="date">`` shows its own locale's pattern (an English Chromium shows
"mm/dd/yyyy" to a Romanian user whose workspace writes 25.12.2026), and the pattern cannot be set
from the page. So dates are typed into a text input that shows, and accepts, the active
language's format: the value is rendered with the locale's first ``DATE_INPUT_FORMATS`` entry, the
placeholder spells that format out, and the server parses any of the locale's input formats (and
ISO 8601, which every locale accepts), so the meaning of 03.04.2026 never depends on the browser.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import formats

_TOKENS = {"%d": "dd", "%m": "mm", "%Y": "yyyy", "%y": "yy", "%b": "mmm", "%B": "mmmm"}
ISO_DATE = "%Y-%m-%d"


def input_formats() -> list[str]:
    """The active language's date input formats, ISO 8601 last."""
    localized = list(formats.get_format("DATE_INPUT_FORMATS"))
    return localized if ISO_DATE in localized else [*localized, ISO_DATE]


def format_hint() -> str:
    """The format a date is typed in here, spelled out: "dd.mm.yyyy"."""
    pattern = input_formats()[0]
    for token, spelled in _TOKENS.items():
        pattern = pattern.replace(token, spelled)
    return pattern


class LocalizedDateInput(forms.DateInput):
    """A text input showing and hinting the active language's date format."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, str):
            # An ISO date stored as text (custom fields) shows in the reader's format too.
            text = value
            try:
                value = date.fromisoformat(text)
            except ValueError:
                return text
        if hasattr(value, "strftime"):
            return str(value.strftime(input_formats()[0]))
        formatted: str | None = super().format_value(value)
        return formatted

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("placeholder", format_hint())
        return context


class LocalizedDateField(forms.DateField):
    """A date typed in the active language's format (or ISO 8601), read by the server."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", LocalizedDateInput)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        self.input_formats = input_formats()
        return super().to_python(value)
