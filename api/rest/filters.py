"""Query-parameter filters shared by the CRM record lists (django-filter FilterSets)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from modules.contacts.selectors.lists import text_match


def search(name_field: str) -> django_filters.CharFilter:
    """``q``: full-text match on the row's ``search_vector``, or a name that is similar (trigram) or contains it."""

    def apply(queryset: QuerySet[Any], _name: str, value: str) -> QuerySet[Any]:
        return text_match(queryset, name_field, value, substring=True)

    return django_filters.CharFilter(method=apply)


def tag() -> django_filters.CharFilter:
    """``tag``: records carrying the tag of that name (any case)."""
    return django_filters.CharFilter(field_name="tags__name", lookup_expr="iexact", distinct=True)


def search_plain(*fields: str) -> django_filters.CharFilter:
    """``q`` on rows without a search vector: any of ``fields`` contains it (any case)."""

    def apply(queryset: QuerySet[Any], _name: str, value: str) -> QuerySet[Any]:
        value = value.strip()
        if not value:
            return queryset
        match = Q()
        for field in fields:
            match |= Q(**{f"{field}__icontains": value})
        return queryset.filter(match)

    return django_filters.CharFilter(method=apply)
