"""Query-parameter filters of the REST lists that have no entity description (the products)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet


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
