"""The live count and first contacts of unsaved rules, shared by the rule builder's page and the
API: each person gets ``PREVIEW_PER_MINUTE`` of them a minute (page and API together), and each
query at most ``PREVIEW_TIMEOUT_MS`` (the rules run over every contact)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import connection, transaction

from identity.models import User
from modules.contacts.models import Contact
from modules.contacts.selectors.lists import visible_contacts
from modules.marketing.segments.rules import matching_contacts

PREVIEW_SIZE = 20
PREVIEW_PER_MINUTE = 30
PREVIEW_TIMEOUT_MS = 10_000


def over_limit(user: User) -> bool:
    """Counts this preview; True once the person has had their share this minute."""
    key = f"segment-preview:{getattr(connection, 'schema_name', '')}:{user.pk}"
    cache.add(key, 0, timeout=60)
    return int(cache.incr(key)) > PREVIEW_PER_MINUTE


def preview(rules: dict[str, Any], user: User) -> tuple[int, list[Contact]]:
    """How many contacts cleaned ``rules`` match, and the first of them ``user`` may see (by name)."""
    matching = matching_contacts(rules)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = %s", [PREVIEW_TIMEOUT_MS])
        count = matching.count()
        shown = list(
            visible_contacts(user)
            .filter(pk__in=matching.order_by().values("pk"))
            .order_by("full_name", "pk")
            .only("pk", "full_name", "email")[:PREVIEW_SIZE]
        )
    return count, shown
