from typing import Any

from django.db import models


class SearchableManager(models.Manager[Any]):
    """Leaves the generated ``search_vector`` out of loaded rows: only SQL filters and ranks on it,
    and parsing a tsvector per row costs more than the rest of a list row."""

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().defer("search_vector")
