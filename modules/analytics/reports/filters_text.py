"""A report's filters said in words ("Amount less than 10", "Owner is Ana, Cid"), for the PDF and
the delivered e-mails, which have no builder form to show them in."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from identity.models import User
from modules.analytics.reports.definition import OPERATORS, Filter, Spec
from modules.analytics.reports.fields import Kind


def _value_text(item: Filter, value: Any, users: dict[int, str]) -> str:
    kind = item.field.kind
    if kind == Kind.BOOLEAN:
        return _("Yes") if value else _("No")
    if kind == Kind.USER and str(value).isdigit():
        return users.get(int(value), f"#{value}")
    if item.field.choices is not None:
        return item.field.choices.get(str(value), str(value))
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def filters_in_words(spec: Spec) -> list[str]:
    """One sentence per filter, in the active language; users named in one query."""
    wanted = {
        int(value)
        for item in spec.filters
        if item.field.kind == Kind.USER
        for value in (item.value if isinstance(item.value, list) else [item.value])
        if str(value).isdigit()
    }
    users = {user.pk: str(user) for user in User.objects.filter(pk__in=wanted)} if wanted else {}
    sentences: list[str] = []
    for item in spec.filters:
        label = item.field.label
        if item.op == "isnull":
            sentences.append(
                _("%(field)s is empty") % {"field": label}
                if item.value
                else _("%(field)s is not empty") % {"field": label}
            )
            continue
        values = item.value if isinstance(item.value, list) else [item.value]
        shown = ", ".join(_value_text(item, value, users) for value in values)
        sentences.append(f"{label} {OPERATORS[item.op]} {shown}")
    return sentences
