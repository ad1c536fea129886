"""The global search: companies, contacts, leads, deals and activities by full text (ranked) or by a
name that is nearly right (pg_trgm, typo-tolerant), each within the user's record visibility."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.db import connection, transaction
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest, Lower

from identity.models import User
from identity.visibility import restrict_to_visible
from modules.activities.models import Activity
from modules.contacts.models import Company, Contact

# Looser than pg_trgm's default 0.3 so two typos in a short name still match ("Jonh Smiht" ≈ 0.29).
SIMILARITY_THRESHOLD = 0.2
PER_GROUP = 8


@dataclass
class SearchGroup:
    key: str
    rows: list[Any] = field(default_factory=list)


def _ranked(queryset: QuerySet[Any], q: str, name_field: str | None, *, owner_field: str, user: User) -> list[Any]:
    query = SearchQuery(q, config="simple", search_type="websearch")
    match = Q(search_vector=query)
    rank: Any = SearchRank(F("search_vector"), query)
    if name_field is not None:
        queryset = queryset.annotate(_name_lower=Lower(name_field))
        match |= Q(_name_lower__trigram_similar=q.lower())
        rank = Greatest(rank, TrigramSimilarity(Lower(name_field), q.lower()))
    queryset = restrict_to_visible(queryset, user, owner_field=owner_field).filter(match)
    queryset = queryset.annotate(rank=Coalesce(rank, Value(0.0), output_field=FloatField()))
    return list(queryset.order_by("-rank", "pk")[:PER_GROUP])


def global_search(user: User, q: str, *, include_sales: bool, include_activities: bool) -> list[SearchGroup]:
    """Groups (companies, contacts[, leads, deals][, activities]) of records matching ``q``, best first.

    The caller says which optional kinds the user may see (module enabled, its view permission);
    no kind has a default, so a new caller cannot forget one."""
    q = " ".join(q.split())[:200]
    if not q:
        return []
    groups: list[SearchGroup] = []
    with transaction.atomic(), connection.cursor() as cursor:
        # Scoped to this transaction: lets the GIN trigram indexes serve the looser threshold.
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(SIMILARITY_THRESHOLD)])
        groups.append(
            SearchGroup("companies", _ranked(Company.objects.all(), q, "name", owner_field="owner", user=user))
        )
        groups.append(
            SearchGroup(
                "contacts",
                _ranked(Contact.objects.select_related("company"), q, "full_name", owner_field="owner", user=user),
            )
        )
        if include_sales:
            from modules.sales.models import Deal, Lead

            groups.append(
                SearchGroup("leads", _ranked(Lead.objects.all(), q, "full_name", owner_field="owner", user=user))
            )
            groups.append(
                SearchGroup(
                    "deals", _ranked(Deal.objects.select_related("stage"), q, "name", owner_field="owner", user=user)
                )
            )
        if include_activities:
            groups.append(
                SearchGroup("activities", _ranked(Activity.objects.all(), q, None, owner_field="assignee", user=user))
            )
    return groups
