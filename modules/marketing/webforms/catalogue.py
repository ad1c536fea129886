"""The fields a web form may ask for: the lead's or the contact's own inputs a visitor can fill in,
and the tenant's custom fields of that record type (through ``customization.fields``). The builder
offers this list; ``services.forms`` accepts only fields from it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from customization.fields.choices import FieldType
from customization.fields.models import CustomFieldDefinition
from customization.fields.validation import definitions_for
from modules.marketing.webforms.choices import Creates, InputType

CUSTOM_PREFIX = "custom."
TEXT = (InputType.TEXT, InputType.TEXTAREA)
LONG_TEXT = (InputType.TEXTAREA, InputType.TEXT)


@dataclass(frozen=True)
class CatalogueField:
    """``name`` is what a form's field entry names (``email``, ``custom.<key>``); ``types`` the
    input types it may be shown as, the first being the default."""

    name: str
    label: str | Promise
    types: tuple[str, ...]
    max_length: int = 200
    options: tuple[tuple[str, str], ...] = field(default=())

    @property
    def is_custom(self) -> bool:
        return self.name.startswith(CUSTOM_PREFIX)

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name, "label": str(self.label), "types": list(self.types), "custom": self.is_custom,
            "options": [{"value": value, "label": label} for value, label in self.options],
        }  # fmt: skip


_LEAD_FIELDS = (
    CatalogueField("first_name", _("First name"), TEXT, 100),
    CatalogueField("last_name", _("Last name"), TEXT, 100),
    CatalogueField("email", _("E-mail"), (InputType.EMAIL,), 254),
    CatalogueField("phone", _("Phone"), (InputType.PHONE,), 40),
    CatalogueField("company_name", _("Company"), TEXT, 200),
    CatalogueField("job_title", _("Job title"), TEXT, 120),
    CatalogueField("website", _("Website"), (InputType.URL,), 255),
    CatalogueField("country", _("Country (two-letter code)"), (InputType.TEXT,), 2),
    CatalogueField("description", _("Message"), LONG_TEXT, 5000),
)
_CONTACT_FIELDS = (
    CatalogueField("first_name", _("First name"), TEXT, 100),
    CatalogueField("last_name", _("Last name"), TEXT, 100),
    CatalogueField("email", _("E-mail"), (InputType.EMAIL,), 254),
    CatalogueField("phone", _("Phone"), (InputType.PHONE,), 40),
    CatalogueField("job_title", _("Job title"), TEXT, 120),
    CatalogueField("department", _("Department"), TEXT, 120),
    CatalogueField("street", _("Street"), TEXT, 200),
    CatalogueField("city", _("City"), TEXT, 100),
    CatalogueField("region", _("Region"), TEXT, 100),
    CatalogueField("postal_code", _("Postal code"), TEXT, 20),
    CatalogueField("country", _("Country (two-letter code)"), (InputType.TEXT,), 2),
    CatalogueField("description", _("Message"), LONG_TEXT, 5000),
)

# Custom field types a visitor can fill in, and how they are shown. User and reference fields name
# records of the workspace, which a visitor cannot know; they are not offered.
_CUSTOM_TYPES: dict[str, tuple[str, ...]] = {
    FieldType.TEXT: TEXT,
    FieldType.LONG_TEXT: LONG_TEXT,
    FieldType.NUMBER: (InputType.NUMBER,),
    FieldType.DECIMAL: (InputType.NUMBER,),
    FieldType.DATE: (InputType.DATE,),
    FieldType.BOOLEAN: (InputType.CHECKBOX,),
    FieldType.SINGLE_SELECT: (InputType.SELECT,),
    FieldType.EMAIL: (InputType.EMAIL,),
    FieldType.PHONE: (InputType.PHONE,),
    FieldType.URL: (InputType.URL,),
}


def _custom_field(definition: CustomFieldDefinition) -> CatalogueField:
    options = tuple(
        (str(option["value"]), str(option.get("label") or option["value"])) for option in definition.options
    )
    max_length = 5000 if definition.field_type == FieldType.LONG_TEXT else 500
    return CatalogueField(
        f"{CUSTOM_PREFIX}{definition.key}", definition.display_label, _CUSTOM_TYPES[definition.field_type],
        max_length, options,
    )  # fmt: skip


def catalogue(creates: str) -> dict[str, CatalogueField]:
    """The fields a form creating ``creates`` may ask for, by name, in the builder's order."""
    standard = _LEAD_FIELDS if creates == Creates.LEAD else _CONTACT_FIELDS
    fields = {entry.name: entry for entry in standard}
    for definition in definitions_for(creates):
        if definition.field_type in _CUSTOM_TYPES:
            entry = _custom_field(definition)
            fields[entry.name] = entry
    return fields
