"""What a timeline page shows but entries do not store in words: field labels and values for people
(choice labels, dates in the user's language and zone, custom field labels, options and user
names), the record an entry is about when it is not the page's own, and an activity's steps.

Everything a page needs is loaded at once (the custom field definitions per record type, the users
the entries mention), so a page costs the same queries whatever it holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from customization.fields.choices import FieldType
from customization.fields.display import Lookups, show
from customization.fields.entities import entity_model, record_url
from customization.fields.models import CustomFieldDefinition
from customization.fields.validation import definitions_for
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.record_access import RecordAccess

# The records an entry may be about, most specific first: a deal's entry also links its company,
# an order's its deal.
RECORD_LINKS = ("order", "deal", "lead", "contact", "company")


def record_kind_label(kind: str) -> str:
    labels = {
        "company": pgettext("record kind", "Company"),
        "contact": pgettext("record kind", "Contact"),
        "lead": pgettext("record kind", "Lead"),
        "deal": pgettext("record kind", "Deal"),
        "order": pgettext("record kind", "Order"),
        "activity": pgettext("record kind", "Activity"),
    }
    return labels.get(kind, kind)


def step_label(event: str, planned_status: str | None) -> str:
    if event == "completed":
        return _("completed")
    if event == "cancelled":
        return _("cancelled")
    if planned_status == "open":
        return _("planned")
    return _("logged")


def entry_record(entry: TimelineEntry) -> str | None:
    """The record type an entry is about: the activity, else its most specific linked record."""
    if entry.activity_id is not None or (entry.kind == TimelineKind.ACTIVITY):
        return "activity"
    if entry.kind == TimelineKind.LEAD_CONVERTED:
        return "lead"
    if entry.kind in (TimelineKind.QUOTE, TimelineKind.ORDER, TimelineKind.CASE):  # records of their own
        return str(entry.kind)
    return next((name for name in RECORD_LINKS if getattr(entry, f"{name}_id") is not None), None)


def about_link(entry: TimelineEntry, subject: str, access: RecordAccess) -> dict[str, Any] | None:
    """The other record an entry happened on (a company's timeline names the deal that moved).

    Shown by name and link only when the user may open it (the ``shown_to`` rule), else by kind.
    """
    if entry.kind == TimelineKind.LEAD_CONVERTED:
        return None  # the entry names the lead and links what it became
    name = next((name for name in RECORD_LINKS if getattr(entry, f"{name}_id") is not None), None)
    if name is None or name == subject:
        return None
    record = access.shown(getattr(entry, name))
    return {
        "kind": record_kind_label(name),
        "name": str(record) if record is not None else "",
        "url": record_url(name, record.pk) if record is not None else "",
    }


class EntryLabels:
    """Human words for the changes of a page of entries, with what they mention loaded once."""

    def __init__(self, entries: Iterable[TimelineEntry], *, user: Any) -> None:
        self.entries = list(entries)
        self.user = user
        self.definitions: dict[str, dict[str, CustomFieldDefinition]] = {}
        entities = {entry_record(entry) for entry in self.entries if _changes_of(entry)}
        customs: dict[str, list[dict[str, Any]]] = {}
        for entity in filter(None, entities):
            try:
                definitions = definitions_for(entity, include_archived=True)
            except LookupError:
                continue
            self.definitions[entity] = {definition.key: definition for definition in definitions}
        user_ids: set[int] = set()
        for entry in self.entries:
            entity = entry_record(entry) or ""
            for change in _changes_of(entry):
                key = str(change.get("field", "")).removeprefix("custom.")
                definition = self.definitions.get(entity, {}).get(key)
                if definition is not None and str(change.get("field", "")).startswith("custom."):
                    customs.setdefault(entity, []).append({key: change.get("old")})
                    customs[entity].append({key: change.get("new")})
            for step in _history_of(entry):
                if isinstance(step.get("actor"), int):
                    user_ids.add(step["actor"])
        self.lookups: dict[str, Lookups] = {
            entity: Lookups.load(self.definitions[entity].values(), values, user=user)
            for entity, values in customs.items()
        }
        self.users = (
            {person.pk: person.display_name for person in get_user_model().objects.filter(pk__in=user_ids)}
            if user_ids
            else {}
        )

    def changes(self, entry: TimelineEntry) -> list[dict[str, str]]:
        entity = entry_record(entry) or ""
        return [
            {
                "label": self._label(entity, change),
                "old": self._value(entity, str(change.get("field", "")), change.get("old")),
                "new": self._value(entity, str(change.get("field", "")), change.get("new")),
            }
            for change in _changes_of(entry)
        ]

    def steps(self, entry: TimelineEntry) -> list[dict[str, Any]]:
        """An activity's steps, oldest first: what happened, when (aware) and by whom."""
        planned = entry.data.get("status") if isinstance(entry.data, dict) else None
        result = []
        for step in _history_of(entry):
            moment = parse_datetime(str(step.get("at", "")))
            result.append(
                {
                    "label": step_label(str(step.get("event", "")), planned),
                    "at": moment,
                    "actor": self.users.get(step["actor"], "") if isinstance(step.get("actor"), int) else "",
                }
            )
        return result

    def _label(self, entity: str, change: dict[str, Any]) -> str:
        field = str(change.get("field", ""))
        if field.startswith("custom."):
            definition = self.definitions.get(entity, {}).get(field.removeprefix("custom."))
            if definition is not None:
                return definition.display_label
        model_field = _model_field(entity, field)
        if model_field is not None:
            return str(model_field.verbose_name)
        return str(change.get("label") or field)

    def _value(self, entity: str, field: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return ""
        if field.startswith("custom."):
            definition = self.definitions.get(entity, {}).get(field.removeprefix("custom."))
            if definition is not None:
                if definition.field_type == FieldType.MONEY and not isinstance(value, dict):
                    return str(value)  # stored as text by older versions
                return show(definition, value, self.lookups.get(entity, Lookups())).text
        model_field = _model_field(entity, field)
        if model_field is not None and model_field.choices and isinstance(value, str):
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(model_field, models.DateTimeField):
            moment = parse_datetime(str(value))
            if moment is not None:
                return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
        elif isinstance(model_field, models.DateField):
            day = parse_date(str(value))
            if day is not None:
                return formats.date_format(day, "SHORT_DATE_FORMAT")
        elif isinstance(model_field, models.DecimalField):
            return _number(value, model_field.decimal_places)
        return str(value)


def status_label(entity: str, value: Any) -> str:
    """A stored status value (``contacted``) by its label (``Contacted``)."""
    model_field = _model_field(entity, "status")
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value or "")


def _number(value: Any, places: int) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return formats.number_format(number, places, use_l10n=True, force_grouping=True)


def _model_field(entity: str, name: str) -> models.Field | None:
    if not entity or not name or name.startswith("custom."):
        return None
    try:
        field = entity_model(entity)._meta.get_field(name)
    except (LookupError, FieldDoesNotExist):
        return None
    return field if isinstance(field, models.Field) else None


def _changes_of(entry: TimelineEntry) -> list[dict[str, Any]]:
    data = entry.data if isinstance(entry.data, dict) else {}
    return [change for change in data.get("changes", []) if isinstance(change, dict)]


def _history_of(entry: TimelineEntry) -> list[dict[str, Any]]:
    data = entry.data if isinstance(entry.data, dict) else {}
    return [step for step in data.get("history", []) if isinstance(step, dict)]
