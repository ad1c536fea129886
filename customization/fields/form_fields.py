"""Custom fields on the record forms: one Django form field per definition, named ``custom_<key>``.

A form mixes in ``CustomFieldsMixin`` and the view calls ``form.add_custom_fields(entity, user=…,
current=…)`` before validating. The form only parses the input's shape; the values go to the record
service as ``custom={key: raw}`` (``form.custom_values()``), whose validator owns the rules. Its
errors, keyed ``custom.<key>``, land on the matching form field through ``form_errors``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import BoundField
from django.utils.dateparse import parse_date, parse_datetime

from core.localized_dates import LocalizedDateField
from customization.fields.choices import FieldType
from customization.fields.display import record_choices
from customization.fields.models import CustomFieldDefinition
from customization.fields.types import DECIMAL_PLACES, MAX_LONG_TEXT, MAX_TEXT
from customization.fields.validation import definitions_for

PREFIX = "custom_"
DATETIME_INPUT = "%Y-%m-%dT%H:%M"
CURRENCY_CHOICES = [(code, code) for code in ("EUR", "USD", "GBP", "RON", "PLN", "CHF", "RSD", "RUB")]


def field_name(key: str) -> str:
    return f"{PREFIX}{key}"


class MoneyWidget(forms.MultiWidget):
    def __init__(self, currencies: list[tuple[str, str]]) -> None:
        super().__init__(
            [
                forms.NumberInput(attrs={"class": "form-control", "step": "0.01", "inputmode": "decimal"}),
                forms.Select(attrs={"class": "form-select", "style": "max-width: 7rem"}, choices=currencies),
            ]
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, Mapping):
            return [value.get("amount"), value.get("currency")]
        return [None, None]


class MoneyField(forms.MultiValueField):
    """An amount and a currency; cleans to ``{"amount": Decimal, "currency": "EUR"}`` or None."""

    def __init__(self, *, currency: str, **kwargs: Any) -> None:
        currencies = list(CURRENCY_CHOICES)
        if currency and (currency, currency) not in currencies:
            currencies.insert(0, (currency, currency))
        fields = (
            forms.DecimalField(decimal_places=2, max_digits=18, required=False),
            forms.ChoiceField(choices=currencies, required=False),
        )
        super().__init__(fields, require_all_fields=False, widget=MoneyWidget(currencies), **kwargs)
        self.initial = {"amount": None, "currency": currency or currencies[0][0]}

    def compress(self, data_list: list[Any]) -> dict[str, Any] | None:
        if not data_list or data_list[0] in (None, ""):
            return None
        return {"amount": data_list[0], "currency": data_list[1] or ""}


def _widget_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return ""
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


def _user_choices(users: Iterable[Any]) -> list[tuple[str, str]]:
    return [("", "—"), *((str(user.pk), str(user)) for user in users)]


def form_field(
    definition: CustomFieldDefinition,
    *,
    user_choices: list[tuple[str, str]],
    reference_choices: list[tuple[str, str]] | None = None,
) -> forms.Field:
    """The form field for ``definition`` (label, help text, required, widget by type)."""
    common: dict[str, Any] = {
        "label": definition.display_label,
        "help_text": definition.help_text,
        "required": definition.required and definition.field_type != FieldType.BOOLEAN,
    }
    kind = definition.field_type
    field: forms.Field
    if kind == FieldType.LONG_TEXT:
        field = forms.CharField(max_length=MAX_LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3}), **common)
    elif kind == FieldType.NUMBER:
        field = forms.IntegerField(**common)
    elif kind == FieldType.DECIMAL:
        field = forms.DecimalField(
            decimal_places=DECIMAL_PLACES, widget=forms.NumberInput(attrs={"step": "any"}), **common
        )
    elif kind == FieldType.MONEY:
        field = MoneyField(currency=definition.currency, **common)
    elif kind == FieldType.DATE:
        field = LocalizedDateField(**common)
    elif kind == FieldType.DATETIME:
        widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT)
        field = forms.DateTimeField(widget=widget, input_formats=[DATETIME_INPUT, "%Y-%m-%dT%H:%M:%S"], **common)
    elif kind == FieldType.BOOLEAN:
        field = forms.BooleanField(**common)
    elif kind == FieldType.SINGLE_SELECT:
        choices = [("", "—"), *((str(o["value"]), str(o.get("label") or o["value"])) for o in definition.options)]
        field = forms.ChoiceField(choices=choices, **common)
    elif kind == FieldType.MULTI_SELECT:
        choices = [(str(o["value"]), str(o.get("label") or o["value"])) for o in definition.options]
        field = forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    elif kind == FieldType.USER:
        field = forms.ChoiceField(choices=user_choices, **common)
    elif kind == FieldType.REFERENCE:
        field = forms.ChoiceField(choices=[("", "—"), *(reference_choices or [])], **common)
    elif kind == FieldType.EMAIL:
        field = forms.CharField(max_length=MAX_TEXT, widget=forms.EmailInput, **common)
    elif kind == FieldType.URL:
        field = forms.CharField(max_length=2000, widget=forms.URLInput, **common)
    elif kind == FieldType.PHONE:
        field = forms.CharField(max_length=40, widget=forms.TextInput(attrs={"type": "tel"}), **common)
    else:
        field = forms.CharField(max_length=MAX_TEXT, **common)
    css = _widget_class(field.widget)
    if css and not isinstance(field, MoneyField):
        field.widget.attrs["class"] = css
    return field


def initial_value(definition: CustomFieldDefinition, stored: Any) -> Any:
    """What the form field shows for a stored value (datetimes stay aware: the form shows them in the
    active time zone)."""
    if stored is None:
        return None
    kind = definition.field_type
    if kind == FieldType.DATE and isinstance(stored, str):
        return parse_date(stored)
    if kind == FieldType.DATETIME and isinstance(stored, str):
        return parse_datetime(stored)
    if kind in (FieldType.USER, FieldType.REFERENCE):
        return str(stored)
    return stored


def raw_value(definition: CustomFieldDefinition, cleaned: Any) -> Any:
    """A cleaned form value as the validator takes it ("" clears the field)."""
    if cleaned is None or cleaned == "" or cleaned == []:
        return False if definition.field_type == FieldType.BOOLEAN else ""
    if isinstance(cleaned, datetime):
        return cleaned.isoformat()  # aware: the form read it in the active (user's) time zone
    if isinstance(cleaned, date):
        return cleaned.isoformat()
    if isinstance(cleaned, Decimal):
        return str(cleaned)
    if isinstance(cleaned, dict):
        return {"amount": str(cleaned["amount"]), "currency": cleaned["currency"]}
    return cleaned


def form_errors(error: ValidationError) -> ValidationError:
    """``error`` with ``custom.<key>`` renamed to the form field ``custom_<key>``."""
    if not hasattr(error, "error_dict"):
        return error
    renamed: dict[str, Any] = {}
    for name, errors in error.error_dict.items():
        target = field_name(name.removeprefix("custom.")) if name.startswith("custom.") else name
        renamed.setdefault(target, []).extend(errors)
    return ValidationError(renamed)


class CustomFieldsMixin:
    """Adds a record's active custom fields to a form and hands their values to the service."""

    fields: dict[str, forms.Field]
    initial: MutableMapping[str, Any]
    cleaned_data: dict[str, Any]
    custom_definitions: list[CustomFieldDefinition] = []

    def add_custom_fields(
        self, entity: str, *, user: Model, current: Mapping[str, Any] | None = None
    ) -> list[CustomFieldDefinition]:
        definitions = definitions_for(entity)
        users: list[tuple[str, str]] = []
        if any(definition.field_type == FieldType.USER for definition in definitions):
            active = get_user_model().objects.filter(is_active=True).order_by("full_name", "email")
            users = _user_choices(active)
        references: dict[str, list[tuple[str, str]]] = {}
        for definition in definitions:
            if definition.field_type == FieldType.REFERENCE and definition.reference_entity not in references:
                references[definition.reference_entity] = record_choices(definition.reference_entity, user=user)
        for definition in definitions:
            name = field_name(definition.key)
            self.fields[name] = form_field(
                definition, user_choices=users, reference_choices=references.get(definition.reference_entity)
            )
            stored = current.get(definition.key) if current is not None else definition.default
            if stored is not None:
                self.initial[name] = initial_value(definition, stored)
            if definition.field_type == FieldType.REFERENCE and current and current.get(definition.key):
                self._keep_current_reference(name, current[definition.key])
        self.custom_definitions = definitions
        return definitions

    def _keep_current_reference(self, name: str, value: Any) -> None:
        """A record referenced but out of the user's sight stays selectable (by id), so saving
        the form does not silently clear it."""
        field = self.fields[name]
        choices = list(field.choices)  # type: ignore[attr-defined]
        if str(value) not in {str(choice[0]) for choice in choices}:
            field.choices = [*choices, (str(value), f"#{value}")]  # type: ignore[attr-defined]

    def __iter__(self) -> Iterator[BoundField]:
        """The record's own fields: the custom ones render in their sections (``custom_sections``)."""
        for name in self.fields:
            if not name.startswith(PREFIX):
                yield self[name]  # type: ignore[index]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}  # type: ignore[misc]
        self._custom_cleaned = {
            definition.key: data.pop(field_name(definition.key))
            for definition in self.custom_definitions
            if field_name(definition.key) in data
        }
        return data

    def custom_values(self) -> dict[str, Any]:
        """``{key: raw}`` for the record service (every shown field: an empty one clears)."""
        cleaned = getattr(self, "_custom_cleaned", {})
        return {
            definition.key: raw_value(definition, cleaned[definition.key])
            for definition in self.custom_definitions
            if definition.key in cleaned
        }

    def custom_sections(self) -> list[dict[str, Any]]:
        """The custom fields grouped by section (in position order) as bound fields."""
        sections: dict[str, list[Any]] = {}
        for definition in self.custom_definitions:
            bound = self[field_name(definition.key)]  # type: ignore[index]
            sections.setdefault(definition.section, []).append({"field": bound, "definition": definition})
        return [{"title": title, "items": items} for title, items in sections.items()]
