"""Query-parameter filters of the REST lists: the strict FilterSet every list uses (a value it
cannot read is a 400 naming the parameter) and ``search`` for lists without an entity description."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _


def search_plain(*fields: str) -> django_filters.CharFilter:
    """``search`` on rows without a search vector: any of ``fields`` contains it (any case)."""

    def apply(queryset: QuerySet[Any], _name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value:
            return queryset
        match = Q()
        for field in fields:
            match |= Q(**{f"{field}__icontains": value})
        return queryset.filter(match)

    return django_filters.CharFilter(method=apply)


# --- strict query parameters: a value we cannot read is a 400 naming it, never an ignored filter ------

TRUE_WORDS = frozenset({"true", "1"})
FALSE_WORDS = frozenset({"false", "0"})


class StrictBooleanField(forms.Field):
    """``true``/``false`` (or ``1``/``0``, any case); anything else, ``null`` included, is an error."""

    default_error_messages = {"invalid": _("Give true or false.")}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


class IdFilter(django_filters.NumberFilter):
    """A record's id: a whole number (``0.5`` and ``abc`` are errors, not matches for nothing)."""

    field_class = forms.IntegerField


class StrictFilterSet(django_filters.FilterSet):
    """A FilterSet that refuses what a plain one ignores: an empty value (``?owner=``; leave the
    parameter out to not filter) and booleans other than true/false. ``search`` may be empty: a
    search box left blank matches everything."""

    EMPTY_ALLOWED = frozenset({"search"})

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.filters:
            if name in self.EMPTY_ALLOWED or name not in self.data:
                continue
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data.get(name)]
            if any(not str(value).strip() for value in values):
                self.form.add_error(name, _("Give a value, or leave the parameter out."))
                valid = False
        return valid


StrictFilterSet.FILTER_DEFAULTS = {
    **django_filters.FilterSet.FILTER_DEFAULTS,
    models.BooleanField: {"filter_class": StrictBooleanFilter},
}
