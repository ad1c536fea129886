from __future__ import annotations

from typing import Any

from django.db import models


class RegConfigField(models.CharField):  # type: ignore[type-arg]
    """A PostgreSQL ``regconfig`` (a text search configuration such as ``english``), read and
    written as its name. A generated ``tsvector`` may pass it to ``to_tsvector`` because the column
    already holds the configuration, not a name that would have to be looked up."""

    def db_type(self, connection: Any) -> str:
        return "regconfig"

    def rel_db_type(self, connection: Any) -> str:
        return "regconfig"

    def cast_db_type(self, connection: Any) -> str:
        return "regconfig"
