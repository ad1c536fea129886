"""What a step works with: the run's record, the triggering event, and the record's values
flattened for merge fields (``{{ record.amount }}``, ``{{ record.custom.region }}``,
``{{ owner.first_name }}``) and for outgoing payloads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from customization.events.models import DomainEvent
from customization.fields.entities import entity_model
from customization.workflows.models import WorkflowRule
from customization.workflows.record_fields import Kind, field_catalog, read_field

# ``{{ scope.field }}``, ``{{ scope.field.key }}``, optionally with a fallback for an empty value:
# ``{{ record.first_name | "there" }}``.
_MERGE_FIELD = r"\{\{\s*(%s)\.([a-z0-9_]+)(?:\.([a-z0-9_]+))?\s*(?:\|\s*\"([^\"{}]*)\"\s*)?\}\}"
MERGE_SCOPES = ("record", "owner")
_MERGE = re.compile(_MERGE_FIELD % "|".join(MERGE_SCOPES))


@dataclass
class StepContext:
    """One step's view of the run. ``step_key`` names the step for idempotency (the step-run id;
    ``dry-run`` when simulated); ``dry_run`` steps must not reach outside the database."""

    rule: WorkflowRule
    record: models.Model
    entity: str
    event: DomainEvent | None
    position: int
    step_key: str
    dry_run: bool = False
    run_id: int | None = None
    notes: dict[str, Any] = field(default_factory=dict)


def load_record(entity: str, record_id: int, *, lock: bool = False) -> models.Model | None:
    queryset = entity_model(entity)._default_manager.all()
    if lock:
        queryset = queryset.select_for_update()
    return queryset.filter(pk=record_id).first()


def json_value(value: Any) -> Any:
    """``value`` as plain JSON (decimals and dates as strings, models as ids)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    return value


def record_values(record: models.Model, entity: str) -> dict[str, Any]:
    """Every catalogue field of ``record`` by path, as JSON."""
    values: dict[str, Any] = {"id": record.pk}
    for info in field_catalog(entity):
        values[info.path] = json_value(read_field(record, info.path))
    return values


def _display(value: Any, kind: str, choices: dict[str, str]) -> str:
    if value is None:
        return ""
    if kind == Kind.CHOICE:
        return choices.get(str(value), str(value))
    if kind == Kind.MULTI_CHOICE and isinstance(value, list):
        return ", ".join(choices.get(str(item), str(item)) for item in value)
    if kind == Kind.MONEY and isinstance(value, dict):
        return f"{value.get('amount', '')} {value.get('currency', '')}".strip()
    if kind == Kind.USER:
        user = get_user_model().objects.filter(pk=value).first()
        return str(user) if user else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(json_value(value))


class MergeValues:
    """The merge fields of a record as display text, keyed ``record.<path>`` / ``owner.<attr>``;
    computed on first use, so a text without merge fields costs nothing."""

    def __init__(self, record: models.Model, entity: str) -> None:
        self.record = record
        self.entity = entity
        self._catalog: dict[str, str] | None = None
        self._owner: dict[str, str] | None = None

    def get(self, path: str, default: str = "") -> str:
        if path.startswith("owner."):
            return self._owner_values().get(path, default)
        name = path.removeprefix("record.")
        if name == "id":
            return str(self.record.pk)
        simple = self._simple_field(name)
        if simple is not None:
            return simple
        if name == "name":
            return str(self.record)
        return self._catalog_values().get(path, default)

    def _simple_field(self, name: str) -> str | None:
        """A plain standard field (no choices, no relation) straight from the record."""
        try:
            model_field = self.record._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if model_field.is_relation or getattr(model_field, "choices", None) or name == "custom":
            return None
        return _display(getattr(self.record, name), Kind.TEXT, {})

    def _catalog_values(self) -> dict[str, str]:
        if self._catalog is None:
            self._catalog = {
                f"record.{info.path}": _display(read_field(self.record, info.path), info.kind, dict(info.choices))
                for info in field_catalog(self.entity)
            }
        return self._catalog

    def _owner_values(self) -> dict[str, str]:
        if self._owner is None:
            owner_id = getattr(self.record, "owner_id", None) or getattr(self.record, "assignee_id", None)
            owner = get_user_model().objects.filter(pk=owner_id).first() if owner_id else None
            full_name = str(getattr(owner, "full_name", "") or "")
            self._owner = {
                "owner.full_name": str(owner) if owner else "",
                "owner.first_name": (full_name.split() or [""])[0],
                "owner.last_name": " ".join(full_name.split()[1:]),
                "owner.email": str(getattr(owner, "email", "") or ""),
            }
        return self._owner


def merge_values(record: models.Model, entity: str) -> MergeValues:
    return MergeValues(record, entity)


def render(text: str, values: MergeValues, *, scopes: tuple[str, ...] = MERGE_SCOPES) -> str:
    """Replace ``{{ record.x }}`` / ``{{ record.custom.key }}`` / ``{{ owner.x }}`` in ``text``;
    nothing else is interpreted, and an unknown or empty merge field becomes its fallback
    (``{{ owner.first_name | "the team" }}``) or empty. ``scopes``: the prefixes ``values`` answers
    (a subclass of ``MergeValues`` may add its own, such as a case's contact)."""
    pattern = _MERGE if scopes == MERGE_SCOPES else re.compile(_MERGE_FIELD % "|".join(map(re.escape, scopes)))

    def replace(match: re.Match[str]) -> str:
        scope, first, second, fallback = match.groups()
        path = f"{scope}.{first}" + (f".{second}" if second else "")
        return values.get(path, "") or (fallback or "")

    return pattern.sub(replace, text)
