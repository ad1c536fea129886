"""The kinds of condition a segment's rules may use besides a contact's and its company's fields.

Each kind is a ``SegmentCondition``: its operators, the parameters each operator takes (checked
here, one parser per parameter kind, errors keyed by the condition's path) and ``build(cleaned)``,
which returns a ``Q`` over ``Contact`` — normally an ``Exists`` subquery correlated on
``OuterRef("pk")`` — so that a whole segment compiles to one SQL query. This app registers tags,
activities, deals, orders and leads; other apps register theirs from their ``AppConfig.ready()``
(``register_condition``), e.g. e-mail engagement over the delivery tables, whose events are
contact events and so already re-evaluate the contact they concern."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

Choices = tuple[tuple[Any, Any], ...]

# How each kind of parameter is read (``rules._param``): "days" a whole number of days (which makes
# the condition time-relative), "count" a whole number, "amount" a decimal amount, "choice" one of
# ``choices()``, "choices" a list of them, "text" a short text.
PARAM_KINDS = ("days", "count", "amount", "choice", "choices", "text")


@dataclass(frozen=True)
class Param:
    name: str
    label: Any
    kind: str
    choices: Callable[[], Choices] | None = None
    # The operators that take this parameter (empty: every operator of the condition).
    ops: tuple[str, ...] = ()
    optional: bool = False

    def applies(self, op: str) -> bool:
        return not self.ops or op in self.ops


@dataclass(frozen=True)
class SegmentCondition:
    key: str
    label: Any
    # ``build(cleaned) -> Q`` over Contact; ``cleaned`` holds "op" and the operator's parameters.
    build: Callable[[Mapping[str, Any]], Q]
    ops: tuple[tuple[str, Any], ...] = (("has", "has"),)
    params: tuple[Param, ...] = ()
    # Further checks after the parameters were read: returns ``cleaned`` (possibly changed) or
    # raises a ValidationError keyed by parameter name.
    clean: Callable[[dict[str, Any]], dict[str, Any]] | None = None


_CONDITIONS: dict[str, SegmentCondition] = {}
# Reserved for the field conditions (rules.FIELD_TYPES) and nested groups.
RESERVED = frozenset({"contact", "company", "lead_field", "group"})


def register_condition(
    key: str,
    builder: Callable[[Mapping[str, Any]], Q],
    *,
    label: Any = None,
    ops: tuple[tuple[str, Any], ...] = (("has", "has"),),
    params: tuple[Param, ...] = (),
    clean: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> SegmentCondition:
    """Add a kind of condition; ``builder(cleaned)`` returns its ``Q`` over Contact."""
    if key in RESERVED or not key or len(key) > 40:
        raise ValueError(f"{key!r} cannot name a segment condition")
    if any(param.kind not in PARAM_KINDS for param in params):
        raise ValueError(f"unknown parameter kind in {key!r}")
    condition = SegmentCondition(
        key=key, label=label or key, build=builder, ops=ops, params=params, clean=clean
    )  # fmt: skip
    _CONDITIONS[key] = condition
    return condition


def registered_condition(key: str) -> SegmentCondition | None:
    return _CONDITIONS.get(key)


def registered_conditions() -> tuple[SegmentCondition, ...]:
    return tuple(_CONDITIONS.values())
