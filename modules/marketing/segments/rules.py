"""A dynamic segment's rules: checking the JSON a person or a client sent, and compiling it into one
query over contacts.

Shape (``Segment.rules``)::

    {"match": "all" | "any", "conditions": [<condition or group>, ...]}

A group nests (at most ``MAX_DEPTH`` levels); an empty top group matches every contact. A
condition is ``{"type": ...}``:

* ``contact`` / ``company`` / ``lead_field``: ``{"field": "city" | "custom.region", "op": ...,
  "value": ...}`` — a field of the contact, of its company, or of the lead it was converted from
  (operators by kind of field: ``conditions.fields``). A lead field is an ``Exists`` over the
  contact's converted leads, so a contact never converted from a lead matches none of them;
* a registered kind (``conditions.registry``): ``{"op": ..., <its parameters>}`` — ``tag``,
  ``activity``, ``deal``, ``order``, ``lead`` here, e-mail engagement from the delivery app.

``clean_rules`` reports everything wrong at once in a ``ValidationError`` keyed by the path of the
offending part (``rules.conditions[1].conditions[0].value``) and returns the rules normalised;
any JSON gives either that or the cleaned rules. ``matching_contacts`` compiles cleaned rules into
one queryset: a ``Q`` tree of field comparisons and ``Exists`` subqueries, never rows in Python.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from core.input_bounds import value_problem
from customization.fields.types import InvalidValue, is_empty
from customization.workflows.definition_values import Errors
from modules.contacts.models import Contact
from modules.marketing.segments.conditions import fields
from modules.marketing.segments.conditions.registry import Param, SegmentCondition, registered_condition

MAX_DEPTH = 3
MAX_CONDITIONS = 60  # in the whole tree: bounds the query a segment compiles to
MAX_DAYS = 3650
MAX_COUNT = 1_000_000
MAX_AMOUNT = Decimal("1000000000000")
MAX_TEXT = 500
# The field conditions: their type → the entity whose field catalogue they use.
FIELD_TYPES = {"contact": "contact", "company": "company", "lead_field": "lead"}
# How a contact reaches the field of a type (the lead's is a subquery, ``_lead_field_q``).
PREFIXES = {"contact": "", "company": "company__"}
ROOT = "rules"


def empty_rules() -> dict[str, Any]:
    return {"match": "all", "conditions": []}


class _Cleaner:
    def __init__(self) -> None:
        self.errors = Errors()
        self.count = 0
        self.catalogs: dict[str, dict[str, Any]] = {}

    def catalog(self, entity: str) -> dict[str, Any]:
        if entity not in self.catalogs:
            self.catalogs[entity] = fields.catalog(entity)
        return self.catalogs[entity]

    def group(self, raw: Any, path: str, depth: int) -> dict[str, Any]:
        if not isinstance(raw, dict) or not isinstance(raw.get("conditions", []), list):
            self.errors.add(path, _("A group needs a match mode and a list of conditions."))
            return empty_rules()
        if depth > MAX_DEPTH:
            self.errors.add(path, _("Groups can be nested at most %(depth)d levels deep.") % {"depth": MAX_DEPTH})
            return empty_rules()
        match = raw.get("match", "all")
        if match not in ("all", "any"):
            self.errors.add(f"{path}.match", _("Match all or any of the conditions."))
            match = "all"
        cleaned = []
        for index, item in enumerate(raw.get("conditions", [])):
            item_path = f"{path}.conditions[{index}]"
            self.count += 1
            if self.count > MAX_CONDITIONS:
                self.errors.add(item_path, _("Use at most %(count)d conditions.") % {"count": MAX_CONDITIONS})
                break
            if isinstance(item, dict) and "conditions" in item:
                cleaned.append(self.group(item, item_path, depth + 1))
            else:
                cleaned.append(self.condition(item, item_path))
        return {"match": match, "conditions": cleaned}

    def condition(self, raw: Any, path: str) -> dict[str, Any]:
        kind = raw.get("type") if isinstance(raw, dict) else None
        if not isinstance(raw, dict) or not isinstance(kind, str):
            self.errors.add(f"{path}.type", _("Choose what the condition tests."))
            return {}
        if kind in FIELD_TYPES:
            return self.field_condition(kind, raw, path)
        registered = registered_condition(kind)
        if registered is None:
            self.errors.add(f"{path}.type", _("Choose what the condition tests."))
            return {}
        return self.registered(registered, raw, path)

    def field_condition(self, kind: str, raw: dict[str, Any], path: str) -> dict[str, Any]:
        name, op = raw.get("field"), raw.get("op")
        cleaned: dict[str, Any] = {"type": kind, "field": name, "op": op}
        if not isinstance(name, str) or not name:
            self.errors.add(f"{path}.field", _("Choose a field."))
            return cleaned
        info = self.catalog(FIELD_TYPES[kind]).get(name)
        if info is None:
            self.errors.add(f"{path}.field", _("%(field)s is not a field of this record type.") % {"field": name[:100]})
            return cleaned
        if op not in fields.OPERATORS.get(info.kind, ()):
            self.errors.add(f"{path}.op", _("Choose an operator this field supports."))
            return cleaned
        if op in fields.VALUELESS:
            return cleaned
        try:
            cleaned["value"] = fields.read_value(info, op, raw.get("value"))
        except InvalidValue as error:
            self.errors.add(f"{path}.value", str(error))
        return cleaned

    def registered(self, condition: SegmentCondition, raw: dict[str, Any], path: str) -> dict[str, Any]:
        op = raw.get("op")
        cleaned: dict[str, Any] = {"type": condition.key, "op": op}
        if op not in {value for value, _label in condition.ops}:
            self.errors.add(f"{path}.op", _("Choose what to test."))
            return cleaned
        ok = True
        for param in condition.params:
            if not param.applies(str(op)):
                continue
            value = raw.get(param.name)
            if is_empty(value):
                if not param.optional:
                    self.errors.add(f"{path}.{param.name}", _("Enter a value."))
                    ok = False
                continue
            try:
                cleaned[param.name] = _param(param, value)
            except InvalidValue as error:
                self.errors.add(f"{path}.{param.name}", str(error))
                ok = False
        if ok and condition.clean is not None:
            from django.core.exceptions import ValidationError

            try:
                cleaned = condition.clean(cleaned)
            except ValidationError as error:
                for name, messages in getattr(error, "message_dict", {"": error.messages}).items():
                    for message in messages:
                        self.errors.add(f"{path}.{name}" if name else path, message)
        return cleaned


def _whole(raw: Any, low: int, high: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str) or value_problem(raw):
        raise InvalidValue(_("Enter a whole number."))
    try:
        number = int(str(raw).strip())
    except ValueError:
        raise InvalidValue(_("Enter a whole number.")) from None
    if not low <= number <= high:
        raise InvalidValue(_("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high})
    return number


def _choice(param: Param, raw: Any) -> str:
    allowed = {str(value) for value, _label in (param.choices() if param.choices else ())}
    if not isinstance(raw, str | int) or isinstance(raw, bool) or str(raw) not in allowed:
        raise InvalidValue(_("Choose one of the options."))
    return str(raw)


def _param(param: Param, raw: Any) -> Any:
    if param.kind == "days":
        return _whole(raw, 1, MAX_DAYS)
    if param.kind == "count":
        return _whole(raw, 0, MAX_COUNT)
    if param.kind == "amount":
        if isinstance(raw, bool) or not isinstance(raw, int | float | str) or value_problem(raw):
            raise InvalidValue(_("Enter an amount."))
        try:
            amount = Decimal(str(raw).strip())
        except InvalidOperation:
            raise InvalidValue(_("Enter an amount.")) from None
        if not amount.is_finite() or not Decimal(0) <= amount < MAX_AMOUNT:
            raise InvalidValue(_("Enter an amount from 0 to %(high)s.") % {"high": MAX_AMOUNT})
        return str(amount.quantize(Decimal("0.01")))
    if param.kind == "choice":
        return _choice(param, raw)
    if param.kind == "choices":
        values = raw if isinstance(raw, list) else [raw]
        if not values or len(values) > fields.MAX_VALUES:
            raise InvalidValue(_("Give from 1 to %(count)d values.") % {"count": fields.MAX_VALUES})
        return sorted({_choice(param, value) for value in values})
    if not isinstance(raw, str) or value_problem(raw) or len(raw) > MAX_TEXT:
        raise InvalidValue(_("Enter at most %(limit)d characters of text.") % {"limit": MAX_TEXT})
    return raw.strip()


def clean_rules(raw: Any) -> dict[str, Any]:
    """The rules normalised, or a ``ValidationError`` naming every wrong part by its path."""
    cleaner = _Cleaner()
    cleaned = cleaner.group(raw if raw not in (None, "") else empty_rules(), ROOT, depth=1)
    cleaner.errors.raise_any()
    return cleaned


# --- Compiling -----------------------------------------------------------------------------------


def rules_q(rules: dict[str, Any]) -> Q:
    """Cleaned ``rules`` as one ``Q`` over Contact (catalogues read once)."""
    catalogs = {kind: fields.catalog(entity) for kind, entity in FIELD_TYPES.items()}
    return _group_q(rules, catalogs)


def _group_q(group: dict[str, Any], catalogs: dict[str, Any]) -> Q:
    parts = [
        _group_q(item, catalogs) if "conditions" in item else _condition_q(item, catalogs)
        for item in group.get("conditions", [])
    ]
    if not parts:
        return Q()
    combined = parts[0]
    for part in parts[1:]:
        combined = combined | part if group.get("match") == "any" else combined & part
    return combined


def _condition_q(condition: dict[str, Any], catalogs: dict[str, Any]) -> Q:
    kind = condition["type"]
    if kind in FIELD_TYPES:
        info = catalogs[kind].get(condition["field"])
        if info is None:
            raise LookupError(f"field {condition['field']!r} no longer exists")
        if kind not in PREFIXES:
            return _lead_field_q(fields.field_q(info, condition["op"], condition.get("value")))
        return fields.field_q(info, condition["op"], condition.get("value"), prefix=PREFIXES[kind])
    registered = registered_condition(kind)
    if registered is None:
        raise LookupError(f"condition {kind!r} is not registered")
    return registered.build(condition)


def _lead_field_q(on_lead: Q) -> Q:
    """Contacts converted from a lead matching ``on_lead`` (a ``Q`` over Lead)."""
    from modules.sales.models import Lead

    return Q(Exists(Lead.objects.filter(on_lead, converted_contact_id=OuterRef("pk"))))


def matching_contacts(rules: dict[str, Any]) -> QuerySet[Contact]:
    """The contacts matching cleaned ``rules``: one query, not evaluated here."""
    return Contact.objects.filter(rules_q(rules))


def is_time_relative(rules: dict[str, Any]) -> bool:
    """Whether the answer changes with time alone ("in the last 30 days"), so the segment needs
    its daily re-evaluation besides following changes."""
    for item in rules.get("conditions", []):
        if "conditions" in item:
            if is_time_relative(item):
                return True
        elif item.get("op") in fields.DAYS or "days" in item:
            return True
    return False


def condition_types(rules: Any) -> set[str]:
    """The kinds of condition ``rules`` use (``contact``, ``company``, ``deal``…)."""
    found: set[str] = set()
    for item in (rules or {}).get("conditions", []) if isinstance(rules, dict) else []:
        if isinstance(item, dict) and "conditions" in item:
            found |= condition_types(item)
        elif isinstance(item, dict) and isinstance(item.get("type"), str):
            # A lead field depends on the lead records as the lead condition does (their rebuilds).
            found.add("lead" if item["type"] == "lead_field" else item["type"])
    return found
