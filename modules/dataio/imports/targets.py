"""What a column can be imported into, per record type: the record's own fields, its relations (found
by name or e-mail) and the tenant's custom fields; and the mapping suggested from the headers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customization.fields.choices import FieldType
from customization.fields.entities import entity_model
from customization.fields.validation import definitions_for
from modules.dataio.imports.choices import ImportEntity

# How a cell becomes a service value: text as is, a list split on commas/semicolons, a choice by
# value or label, a relation looked up in bulk, a custom value parsed by the field's own type, a
# value of the row's order line (an order file has one row per line).
TEXT, LIST, CHOICE, UPPER, RELATION, CUSTOM, LINE = "text", "list", "choice", "upper", "relation", "custom", "line"


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    kind: str = TEXT
    aliases: tuple[str, ...] = ()
    field_type: str = ""
    choices: dict[str, str] = field(default_factory=dict)


_FIELDS: dict[str, tuple[str, ...]] = {
    ImportEntity.COMPANY: (
        "name", "website", "industry", "employee_count", "email", "additional_emails", "phone", "additional_phones",
        "street", "city", "region", "postal_code", "country", "source", "lifecycle_stage", "description", "tags",
    ),
    ImportEntity.CONTACT: (
        "first_name", "last_name", "email", "additional_emails", "phone", "additional_phones", "job_title",
        "department", "street", "city", "region", "postal_code", "country", "source", "lifecycle_stage",
        "description", "tags",
    ),
    ImportEntity.LEAD: (
        "first_name", "last_name", "company_name", "job_title", "email", "phone", "website", "country", "source",
        "status", "estimated_value", "currency", "description", "tags",
    ),
    ImportEntity.DEAL: ("name", "amount", "currency", "probability", "expected_close_date", "description", "tags"),
    ImportEntity.ORDER: ("number", "ordered_on", "currency", "discount_percent", "notes"),
}  # fmt: skip
_RELATIONS: dict[str, tuple[str, ...]] = {
    ImportEntity.COMPANY: ("owner",),
    ImportEntity.CONTACT: ("company", "owner"),
    ImportEntity.LEAD: ("owner",),
    ImportEntity.DEAL: ("pipeline", "stage", "company", "contact", "owner"),
    ImportEntity.ORDER: ("company", "contact", "owner"),
}
_KINDS = {
    "additional_emails": LIST, "additional_phones": LIST, "tags": LIST, "country": UPPER, "currency": UPPER,
    "source": CHOICE, "lifecycle_stage": CHOICE, "status": CHOICE,
}  # fmt: skip
_ALIASES = {
    "email": ("e-mail", "email address", "e-mail address", "mail"),
    "phone": ("telephone", "phone number", "mobile", "tel"),
    "first_name": ("first", "given name", "forename", "firstname"),
    "last_name": ("last", "surname", "family name", "lastname"),
    "name": ("deal", "deal name", "company name", "organisation", "organization", "account"),
    "company_name": ("company", "organisation", "organization", "account"),
    "website": ("web", "url", "site", "domain", "homepage"),
    "postal_code": ("zip", "zip code", "postcode"),
    "job_title": ("title", "position", "role"),
    "employee_count": ("employees", "size", "headcount"),
    "expected_close_date": ("close date", "closing date"),
    "estimated_value": ("value",),
    "amount": ("value", "deal value"),
    "number": ("order number", "order no", "order"),
    "ordered_on": ("order date", "date", "ordered"),
    "discount_percent": ("discount",),
}
_RELATION_LABELS = {
    "owner": (gettext_lazy("Owner (user e-mail)"), ("owner email", "owner e-mail", "assigned to", "user")),
    "company": (
        gettext_lazy("Company (by name)"),
        ("company", "company name", "organisation", "organization", "account"),
    ),
    "contact": (gettext_lazy("Contact (by e-mail)"), ("contact", "contact email", "contact e-mail")),
    "pipeline": (gettext_lazy("Pipeline (by name)"), ("pipeline",)),
    "stage": (gettext_lazy("Stage (by name)"), ("stage", "deal stage")),
}
# An order file's line columns (one row per line, the order's number repeated): the key is the
# line's field with ``line_`` before it, the product found by SKU or else by name.
LINE_TARGETS: dict[str, tuple[str, ...]] = {
    ImportEntity.ORDER: ("product", "description", "quantity", "unit_price", "discount_percent", "tax_rate"),
}
_LINE_LABELS = {
    "product": gettext_lazy("Line: product (SKU or name)"),
    "description": gettext_lazy("Line: description"),
    "quantity": gettext_lazy("Line: quantity"),
    "unit_price": gettext_lazy("Line: unit price"),
    "discount_percent": gettext_lazy("Line: discount (%)"),
    "tax_rate": gettext_lazy("Line: tax rate (%)"),
}
_LINE_ALIASES = {
    "product": ("product", "sku", "item", "article", "product name", "product sku"),
    "description": ("description", "line description", "item description"),
    "quantity": ("qty", "quantity", "units"),
    "unit_price": ("unit price", "price", "price per unit"),
    "discount_percent": ("line discount", "line discount %", "item discount"),
    "tax_rate": ("tax", "tax rate", "vat", "vat rate", "tax %"),
}
# Which columns at least one of must be mapped (records need a name).
REQUIRED_ANY: dict[str, tuple[str, ...]] = {
    ImportEntity.COMPANY: ("name",),
    ImportEntity.CONTACT: ("first_name", "last_name"),
    ImportEntity.LEAD: ("first_name", "last_name", "company_name"),
    ImportEntity.DEAL: ("name",),
    ImportEntity.ORDER: ("number",),
}
# The column existing records are matched by when the import skips or updates duplicates.
MATCH_KEYS: dict[str, tuple[str, ...]] = {
    ImportEntity.COMPANY: ("name", "website"),
    ImportEntity.CONTACT: ("email",),
    ImportEntity.LEAD: ("email",),
    ImportEntity.DEAL: ("name",),
    ImportEntity.ORDER: ("number",),
}


def normalise(text: str) -> str:
    """Lower-case letters and digits only, accents dropped: ``E-Mail Address`` → ``emailaddress``."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in decomposed if not unicodedata.combining(c)).lower())


def _model_target(model: type[models.Model], name: str) -> Target:
    model_field = model._meta.get_field(name)
    label = str(getattr(model_field, "verbose_name", name))
    label = label[:1].upper() + label[1:]
    kind = _KINDS.get(name, TEXT)
    choices = {str(value): str(text) for value, text in getattr(model_field, "choices", None) or []}
    if choices and kind == TEXT:
        kind = CHOICE
    if name == "tags":
        label = _("Tags")
    return Target(key=name, label=label, kind=kind, aliases=_ALIASES.get(name, ()), choices=choices)


def targets_for(entity: str) -> list[Target]:
    """Every target of ``entity`` (an order's line fields after its relations), custom fields
    (active ones) last."""
    model = entity_model(entity)
    targets = [_model_target(model, name) for name in _FIELDS[entity]]
    for name in _RELATIONS[entity]:
        label, aliases = _RELATION_LABELS[name]
        targets.append(Target(key=name, label=str(label), kind=RELATION, aliases=aliases))
    for name in LINE_TARGETS.get(entity, ()):
        targets.append(
            Target(key=f"line_{name}", label=str(_LINE_LABELS[name]), kind=LINE, aliases=_LINE_ALIASES[name])
        )
    for definition in definitions_for(entity):
        targets.append(
            Target(
                key=f"custom.{definition.key}",
                label=definition.display_label,
                kind=CUSTOM,
                aliases=(definition.key, definition.label, *map(str, (definition.label_translations or {}).values())),
                field_type=definition.field_type,
                choices={str(o.get("value")): str(o.get("label", o.get("value"))) for o in definition.options or []},
            )
        )
    return targets


def suggest_mapping(header: list[str], targets: list[Target]) -> list[str]:
    """A target per column (or ""): exact key or label first, then known aliases; each target once."""
    rounds: list[Callable[[Target], set[str]]] = [
        lambda target: {normalise(target.key), normalise(target.label)},
        lambda target: {normalise(alias) for alias in target.aliases},
    ]
    mapping = [""] * len(header)
    used: set[str] = set()
    for names_of in rounds:
        for index, title in enumerate(header):
            if mapping[index] or not normalise(title):
                continue
            for target in targets:
                if target.key not in used and normalise(title) in names_of(target):
                    mapping[index] = target.key
                    used.add(target.key)
                    break
    return mapping


def split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,\n]", text) if part.strip()]


def choice_value(target: Target, text: str) -> str:
    """A choice given by its stored value or its label, in any case; unknown text stays (the model's
    validation names it)."""
    wanted = text.strip().lower()
    for value, label in target.choices.items():
        if wanted in (value.lower(), label.lower()):
            return value
    return text


def custom_raw(target: Target, text: str) -> object:
    """The raw value handed to the custom-field validator: options by value or label, a
    multi-select's options separated by commas or semicolons in one cell."""
    if target.field_type == FieldType.MULTI_SELECT:
        return [choice_value(target, part) for part in split_list(text)]
    if target.field_type == FieldType.SINGLE_SELECT:
        return choice_value(target, text)
    return text


def convert(target: Target, text: str) -> object:
    if target.kind == LIST:
        return split_list(text)
    if target.kind == CHOICE:
        return choice_value(target, text)
    if target.kind == UPPER:
        return text.upper()
    if target.kind == CUSTOM:
        return custom_raw(target, text)
    return text
