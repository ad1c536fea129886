"""The bounds of the input the platform accepts, checked the same way on every surface.

**Text** holds no control character (C0, DEL, C1) other than tab, line feed and carriage return,
and no lone UTF-16 surrogate: PostgreSQL cannot store NUL or a surrogate, and the other controls
are never typed on purpose. Typed input (page forms, REST, GraphQL, the services behind them) is refused
with an error naming the field; files written by other programs (CSV, XLSX, vCard, iCalendar)
have them stripped by ``without_control_characters``, so the rest of the file still imports.

**Dates and times** lie in the years ``FIRST_YEAR``–``LAST_YEAR`` (as the UTC instant, for times
with an offset): four-digit years that render the same everywhere, with a margin of a thousand
years on each side, so a stored value plus or minus any duration the platform adds (a meeting's
length, a calendar range, a reminder) and shown in any time zone stays within what Python and
PostgreSQL represent. Offsets stay under ``MAX_OFFSET``, PostgreSQL's limit. **Durations** are at
most ``MAX_DURATION``.

Who calls it: ``modules.contacts.services.records.validated`` (so every service write), the
import parsers, the page, REST and GraphQL filters and the calendar's range parameters; see
``docs/architecture.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

FIRST_YEAR = 1000
LAST_YEAR = 8999
MAX_OFFSET = timedelta(hours=16)  # exclusive: PostgreSQL refuses a displacement of 16 hours or more
MAX_DURATION = timedelta(days=3660)

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be accepted as text, or None."""
    found = _CONTROL.search(value)
    if found is None:
        return None
    return _("Remove the control character U+%(code)04X: text cannot hold it.") % {"code": ord(found.group())}


def without_control_characters(value: str) -> str:
    """``value`` without the characters ``text_problem`` refuses (for text read from files)."""
    return _CONTROL.sub("", value)


def window_message() -> str:
    return _("Enter a date between the years %(first)d and %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}


def moment_problem(value: date | datetime) -> str | None:
    """Why the date or time ``value`` cannot be accepted, or None."""
    if isinstance(value, datetime):
        offset = value.utcoffset()
        if offset is not None:
            if abs(offset) >= MAX_OFFSET:
                return _("Give a time zone offset between -15:59 and +15:59.")
            try:
                value = value.astimezone(UTC)
            except OverflowError:
                return window_message()
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        return window_message()
    return None


def in_window(*names: str) -> Q:
    """Rows whose date and time columns ``names`` are empty or inside the window: lists that render
    every row skip values stored before the window was enforced, rather than fail on them."""
    earliest = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
    latest = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)
    condition = Q()
    for name in names:
        condition &= Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": earliest, f"{name}__lt": latest})
    return condition


def duration_problem(value: timedelta) -> str | None:
    """Why the duration ``value`` cannot be accepted, or None."""
    if abs(value) > MAX_DURATION:
        return _("Enter a duration of at most %(days)d days.") % {"days": MAX_DURATION.days}
    return None


def value_problem(value: Any) -> str | None:
    """Why a value of any field type (text, date, time, duration, whole number, or lists and JSON
    of them) cannot be accepted, or None."""
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, date):  # datetime too
        return moment_problem(value)
    if isinstance(value, timedelta):
        return duration_problem(value)
    if isinstance(value, int) and not -(2**63) <= value < 2**63:  # PostgreSQL's bigint
        return _("Enter a number between %(low)d and %(high)d.") % {"low": -(2**63), "high": 2**63 - 1}
    if isinstance(value, list | tuple):
        return next((problem for item in value if (problem := value_problem(item))), None)
    if isinstance(value, Mapping):
        return next((problem for item in value.items() if (problem := value_problem(item))), None)
    return None


def field_problems(instance: models.Model, *, exclude: Iterable[str] = ()) -> dict[str, list[str]]:
    """The fields of ``instance`` holding a value the platform does not accept, with why; a JSON
    object's offending key is named (``custom.<key>``)."""
    skipped = set(exclude)
    problems: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        if field.name in skipped or field.attname not in instance.__dict__:  # excluded, generated or deferred
            continue
        value = instance.__dict__[field.attname]
        if isinstance(value, Mapping):
            for key, item in value.items():
                problem = value_problem([key, item])
                if problem:
                    problems[f"{field.name}.{key}"] = [problem]
        elif problem := value_problem(value):
            problems[field.name] = [problem]
    return problems


def check_fields(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """Raise a ValidationError naming every field of ``instance`` that ``field_problems`` refuses.

    Runs before the model's own validation, whose uniqueness queries would send the value to the
    database."""
    problems = field_problems(instance, exclude=exclude)
    if problems:
        raise ValidationError(problems)


def check_value(value: Any, *, field: str) -> None:
    """Raise a ValidationError on ``field`` when ``value_problem`` refuses ``value``."""
    problem = value_problem(value)
    if problem:
        raise ValidationError({field: [problem]}, code="out_of_bounds")


@deconstructible
class BoundedInput:
    """The same check as a Django (and so DRF) field validator."""

    def __call__(self, value: Any) -> None:
        problem = value_problem(value)
        if problem:
            raise ValidationError(problem, code="out_of_bounds")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BoundedInput)

    def __hash__(self) -> int:
        return hash(BoundedInput)


bounded_input = BoundedInput()
