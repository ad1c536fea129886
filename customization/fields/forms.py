"""Settings → Custom fields forms. They check the shape of the input; the services own the rules
and their errors land on the field they name."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import zip_longest
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from customization.fields.choices import Entity, FieldType
from customization.fields.models import CustomFieldDefinition

KEEP_REFUSING = ""
CLEAR_VALUES = "__clear__"


def language_fields() -> list[tuple[str, str, str]]:
    """(form field name, language code, language name) for every platform language."""
    return [(f"label_{code.lower().replace('-', '_')}", code.lower(), str(name)) for code, name in settings.LANGUAGES]


class OptionRowsWidget(forms.Widget):
    """The options editor posts rows as parallel ``option_value`` / ``option_label`` lists."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[dict[str, str]]:
        values = data.getlist("option_value") if hasattr(data, "getlist") else []
        labels = data.getlist("option_label") if hasattr(data, "getlist") else []
        return [
            {"value": str(value).strip(), "label": str(label).strip()}
            for value, label in zip_longest(values, labels, fillvalue="")
            if str(value).strip() or str(label).strip()
        ]


class OptionRowsField(forms.Field):
    widget = OptionRowsWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[dict[str, str]]:
        return list(value or [])


def reference_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((str(value), str(label)) for value, label in Entity.choices)]


def default_input(field_type: str, raw: str) -> Any:
    """The default value as the type's parser takes it (a list for multi selects)."""
    raw = raw.strip()
    if field_type == FieldType.MULTI_SELECT and raw:
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw or None


def default_text(definition: CustomFieldDefinition) -> str:
    """A stored default as the form shows it."""
    value = definition.default
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return str(value.get("amount", ""))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class OptionsEditorMixin(forms.Form):
    """A form with an ``options`` field edited as rows (the Alpine options editor)."""

    @property
    def option_rows(self) -> list[dict[str, str]]:
        """The rows the options editor starts with."""
        if self.is_bound:
            rows = self.fields["options"].widget.value_from_datadict(self.data, self.files, "options")
        else:
            rows = list(self.initial.get("options") or [])
        return rows or [{"value": "", "label": ""}]


class DefinitionForm(OptionsEditorMixin):
    """Create (with ``key`` and ``field_type``) or edit a definition."""

    key = forms.CharField(
        label=_("Key"),
        max_length=40,
        help_text=_(
            "Lower-case letters, digits and underscores. Used by the API and imports; cannot be changed later."
        ),
    )
    label = forms.CharField(label=_("Label"), max_length=100)
    field_type = forms.ChoiceField(label=_("Type"), choices=FieldType.choices)
    options = OptionRowsField(label=_("Options"))
    replace_removed_with = forms.CharField(label=_("Records using a removed option get"), required=False)
    reference_entity = forms.ChoiceField(label=_("Refers to"), choices=reference_choices, required=False)
    currency = forms.CharField(label=_("Default currency"), max_length=3, required=False)
    default = forms.CharField(
        label=_("Default value"),
        required=False,
        max_length=255,
        help_text=_("Filled in on new records. Separate several options with commas."),
    )
    help_text = forms.CharField(label=_("Help text"), max_length=255, required=False)
    section = forms.CharField(label=_("Section"), max_length=60, required=False)
    required = forms.BooleanField(label=_("Required"), required=False)
    is_unique = forms.BooleanField(label=_("Unique: no two records may share a value"), required=False)
    is_indexed = forms.BooleanField(label=_("Indexed: lists filter and sort by it fast"), required=False)

    def __init__(self, *args: Any, definition: CustomFieldDefinition | None = None, **kwargs: Any) -> None:
        self.definition = definition
        if definition is not None and not kwargs.get("initial"):
            kwargs["initial"] = self.initial_for(definition)
        super().__init__(*args, **kwargs)
        for name, _code, language in language_fields():
            self.fields[name] = forms.CharField(label=language, max_length=100, required=False)
        if definition is not None:
            del self.fields["key"], self.fields["field_type"], self.fields["reference_entity"]
        else:
            del self.fields["replace_removed_with"]

    @staticmethod
    def initial_for(definition: CustomFieldDefinition) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(definition, name)
            for name in ("label", "currency", "help_text", "section", "required", "is_unique", "is_indexed")
        }
        initial["options"] = definition.options
        initial["default"] = default_text(definition)
        translations: Mapping[str, str] = definition.label_translations or {}
        for name, code, _language in language_fields():
            initial[name] = translations.get(code, "")
        return initial

    @property
    def translation_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _code, _language in language_fields()]

    def service_arguments(self) -> dict[str, Any]:
        """cleaned_data as the service's keyword arguments."""
        data = self.cleaned_data
        field_type = self.definition.field_type if self.definition else data["field_type"]
        arguments: dict[str, Any] = {
            name: data[name]
            for name in ("label", "help_text", "section", "required", "is_unique", "is_indexed", "options")
        }
        arguments["currency"] = data["currency"]
        arguments["default"] = default_input(field_type, data["default"])
        arguments["label_translations"] = {
            code: data[name] for name, code, _language in language_fields() if data.get(name)
        }
        if self.definition is None:
            arguments.update(key=data["key"], field_type=data["field_type"], reference_entity=data["reference_entity"])
        else:
            replacement = data.get("replace_removed_with", KEEP_REFUSING)
            arguments["replace_removed_with"] = (
                None if replacement == KEEP_REFUSING else "" if replacement == CLEAR_VALUES else replacement
            )
        return arguments


class ChangeTypeForm(OptionsEditorMixin):
    field_type = forms.ChoiceField(label=_("New type"))
    options = OptionRowsField(label=_("Options"))
    reference_entity = forms.ChoiceField(label=_("Refers to"), choices=reference_choices, required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    drop_unconvertible = forms.BooleanField(label=_("Clear the values that cannot be converted"), required=False)

    def __init__(self, *args: Any, definition: CustomFieldDefinition, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"options": definition.options, "currency": definition.currency, "reference_entity": ""}
        )
        super().__init__(*args, **kwargs)
        self.definition = definition
        field_type = cast(forms.ChoiceField, self.fields["field_type"])
        field_type.choices = [(value, label) for value, label in FieldType.choices if value != definition.field_type]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "new_type": data["field_type"],
            "options": data["options"] or None,
            "reference_entity": data["reference_entity"] or None,
            "currency": data["currency"] or None,
            "drop_unconvertible": data["drop_unconvertible"],
        }


class PurgeForm(forms.Form):
    confirm_key = forms.CharField(label=_("Type the field's key to confirm"), max_length=40)

    def __init__(self, *args: Any, definition: CustomFieldDefinition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition

    def clean_confirm_key(self) -> str:
        value = str(self.cleaned_data["confirm_key"]).strip()
        if value != self.definition.key:
            raise forms.ValidationError(_("Type “%(key)s” exactly.") % {"key": self.definition.key})
        return value
