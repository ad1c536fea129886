"""The global search: companies, contacts, leads, deals and activities by full text, by e-mail or web
address (a part of it: "altus" finds anna@altus-group.ro and altus-group.ro), or by a name that is
nearly right (pg_trgm, typo-tolerant), each within the user's record visibility.

Exact matches come first: a name or e-mail equal to the query, then names starting with it, full
text and address matches, and last the names that are only similar."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.db import connection, transaction
from django.db.models import Case, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Greatest, Lower

from identity.models import User
from identity.visibility import restrict_to_visible
from modules.activities.models import Activity
from modules.contacts.models import Company, Contact

# Looser than pg_trgm's default 0.3 so two typos in a short name still match ("Jonh Smiht" ≈ 0.29).
SIMILARITY_THRESHOLD = 0.2
PER_GROUP = 8
# Shorter parts of an address would match nearly every row ("a", "co").
MIN_ADDRESS_PART = 3
MAX_QUERY = 200

EXACT, STRONG, SIMILAR = 3, 2, 1


@dataclass(frozen=True)
class SearchKind:
    """One kind of record the search covers: what it reads and which columns it matches."""

    key: str
    rows: Callable[[], QuerySet[Any]]
    name_field: str | None
    address_fields: tuple[str, ...]
    owner_field: str


def _companies() -> QuerySet[Any]:
    return Company.objects.all()


def _contacts() -> QuerySet[Any]:
    return Contact.objects.select_related("company")


def _leads() -> QuerySet[Any]:
    from modules.sales.models import Lead

    return Lead.objects.all()


def _deals() -> QuerySet[Any]:
    from modules.sales.models import Deal

    return Deal.objects.select_related("stage")


def _activities() -> QuerySet[Any]:
    return Activity.objects.all()


KINDS: dict[str, SearchKind] = {
    kind.key: kind
    for kind in (
        SearchKind("companies", _companies, "name", ("email", "website"), "owner"),
        SearchKind("contacts", _contacts, "full_name", ("email",), "owner"),
        SearchKind("leads", _leads, "full_name", ("email", "website"), "owner"),
        SearchKind("deals", _deals, "name", (), "owner"),
        SearchKind("activities", _activities, None, (), "assignee"),
    )
}


@dataclass
class SearchGroup:
    key: str
    rows: list[Any] = field(default_factory=list)
    total: int | None = None


def normalized(q: str) -> str:
    return " ".join(q.split())[:MAX_QUERY]


def matching(kind: SearchKind, q: str, user: User) -> QuerySet[Any]:
    """The records of ``kind`` that ``user`` sees and that match ``q``, best first (run it inside
    ``similarity_threshold()`` so the trigram operator uses the search's threshold)."""
    needle = q.lower()
    query = SearchQuery(q, config="simple", search_type="websearch")
    text_match = Q(search_vector=query)
    exact = Q(pk__in=[])
    strong = text_match
    fuzzy = Q(pk__in=[])
    rank: Any = SearchRank(F("search_vector"), query)
    queryset = kind.rows()
    if kind.name_field is not None:
        queryset = queryset.annotate(_name_lower=Lower(kind.name_field))
        exact |= Q(_name_lower=needle)
        strong |= Q(_name_lower__startswith=needle)
        fuzzy = Q(_name_lower__trigram_similar=needle)
        rank = Greatest(rank, TrigramSimilarity(Lower(kind.name_field), needle))
    for address in kind.address_fields:
        alias = f"_{address}_lower"
        queryset = queryset.annotate(**{alias: Lower(address)})
        exact |= Q(**{alias: needle})
        if len(needle) >= MIN_ADDRESS_PART:
            strong |= Q(**{f"{alias}__contains": needle})
    queryset = restrict_to_visible(queryset, user, owner_field=kind.owner_field).filter(exact | strong | fuzzy)
    queryset = queryset.annotate(
        tier=Case(
            When(exact, then=Value(EXACT)),
            When(strong, then=Value(STRONG)),
            default=Value(SIMILAR),
            output_field=IntegerField(),
        ),
        rank=Coalesce(rank, Value(0.0), output_field=FloatField()),
    )
    return queryset.order_by("-tier", "-rank", "pk")


@contextmanager
def similarity_threshold() -> Iterator[None]:
    # Scoped to this transaction: lets the GIN trigram indexes serve the looser threshold.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(SIMILARITY_THRESHOLD)])
        yield


def searchable_kinds(*, include_sales: bool, include_activities: bool) -> list[SearchKind]:
    """The kinds a user may search, in display order. The caller says which optional kinds the
    user may see (module enabled, its view permission); no kind has a default, so a new caller
    cannot forget one."""
    keys = ["companies", "contacts"]
    if include_sales:
        keys += ["leads", "deals"]
    if include_activities:
        keys.append("activities")
    return [KINDS[key] for key in keys]


def global_search(
    user: User, q: str, *, include_sales: bool, include_activities: bool, counted: bool = False
) -> list[SearchGroup]:
    """Groups (companies, contacts[, leads, deals][, activities]) of the best records matching
    ``q``; ``counted`` also counts every group's matches (for the full results page)."""
    q = normalized(q)
    if not q:
        return []
    groups: list[SearchGroup] = []
    with similarity_threshold():
        for kind in searchable_kinds(include_sales=include_sales, include_activities=include_activities):
            found = matching(kind, q, user)
            rows = list(found[:PER_GROUP])
            total = found.order_by().count() if counted else None
            groups.append(SearchGroup(kind.key, rows, total))
    return groups
