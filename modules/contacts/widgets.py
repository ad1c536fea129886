"""The searchable record picker: a search box over ``contacts:record-picker`` (JSON, within the
user's visibility) instead of a ``<select>`` listing every company or contact."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe


class RecordPicker(forms.Widget):
    """For a ModelChoiceField over companies or contacts; the field's queryset still validates the
    posted id (so visibility holds), the page only renders the chosen record's name."""

    def __init__(self, kind: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.kind = kind

    def _label(self, value: Any) -> str:
        queryset = getattr(getattr(self, "choices", None), "queryset", None)
        if queryset is None or value in (None, "") or not str(value).isdigit():
            return ""
        record = queryset.filter(pk=value).first()
        return str(record) if record is not None else ""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        context = {
            "name": name,
            "value": "" if value is None else value,
            "label": self._label(value),
            "id": final.get("id") or f"id_{name}",
            "invalid": "is-invalid" in str(final.get("class", "")),
            "url": reverse("contacts:record-picker", args=[self.kind]),
            "kind": self.kind,
        }
        return mark_safe(render_to_string("includes/record_picker.html", context))  # noqa: S308 - our template escapes
