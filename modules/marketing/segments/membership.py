"""Keeping ``SegmentMember`` equal to a dynamic segment's rules, set-based.

One SQL statement per segment: the rules' query as a CTE, an ``INSERT … SELECT`` of the matching
contacts that are not members, a ``DELETE`` of the members that no longer match, and one outbox
event per contact that entered (``segment.contact_entered``) or left (``segment.contact_left``),
written by ``INSERT … SELECT`` from the rows the two changes returned. Nothing is loaded into
Python, so a rebuild over a million contacts costs what the SQL costs. ``within`` restricts all of
it to some contacts (the ones a change concerned), which is how membership follows changes.

Two writers at once stay exact: the insert skips rows another transaction added
(``ON CONFLICT DO NOTHING``) and a delete returns only rows it removed, so each change emits its
event once and the member count moves by exactly what changed."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db import connection

from customization.events.outbox import dispatch_after_commit, insert_select_sql
from modules.marketing.choices import MembershipSource
from modules.marketing.models import Segment, SegmentMember
from modules.marketing.segments.rules import matching_contacts

ENTERED = "segment.contact_entered"
LEFT = "segment.contact_left"


@dataclass(frozen=True)
class Change:
    entered: int
    left: int


def _matching_sql(rules: dict[str, Any], within: Collection[int] | None) -> tuple[str, list[Any]]:
    contacts = matching_contacts(rules)
    if within is not None:
        contacts = contacts.filter(pk__in=list(within))
    query = contacts.order_by().values("pk").query
    sql, params = query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def apply_rules(segment: Segment, rules: dict[str, Any], *, within: Collection[int] | None = None) -> Change:
    """Bring ``segment``'s membership to what cleaned ``rules`` say (only for the contacts
    ``within`` when given); emits the events and moves the member count. Caller's transaction."""
    members = SegmentMember._meta.db_table
    matched_sql, matched_params = _matching_sql(rules, within)
    scope, scope_params = ("", [])
    if within is not None:
        scope, scope_params = " AND member.contact_id = ANY(%s)", [list(within)]
    data = {"id": segment.pk}
    entered_sql, entered_params = insert_select_sql(ENTERED, entity="contact", source="entered", data=data)
    left_sql, left_params = insert_select_sql(LEFT, entity="contact", source="gone", data=data)
    sql = f"""
        WITH matched(id) AS MATERIALIZED ({matched_sql}),
        entered AS (
            INSERT INTO {members} (segment_id, contact_id, source, added_at)
            SELECT %s, matched.id, %s, now() FROM matched
            WHERE NOT EXISTS (
                SELECT 1 FROM {members} member WHERE member.segment_id = %s AND member.contact_id = matched.id
            )
            ON CONFLICT (segment_id, contact_id) DO NOTHING
            RETURNING contact_id AS record_id
        ),
        gone AS (
            DELETE FROM {members} member
            WHERE member.segment_id = %s{scope}
              AND NOT EXISTS (SELECT 1 FROM matched WHERE matched.id = member.contact_id)
            RETURNING member.contact_id AS record_id
        ),
        entered_events AS ({entered_sql} RETURNING 1),
        left_events AS ({left_sql} RETURNING 1)
        SELECT (SELECT count(*) FROM entered_events), (SELECT count(*) FROM left_events)
    """  # noqa: S608 (table names are the models'; values are parameters)
    params = [
        *matched_params,
        segment.pk, MembershipSource.RULES, segment.pk,
        segment.pk, *scope_params,
        *entered_params,
        *left_params,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        entered, left = cursor.fetchone()
    if entered or left:
        dispatch_after_commit()
    return Change(entered=int(entered), left=int(left))


def recount(segment_ids: Collection[int] | None = None) -> None:
    """Set member counts from the table (after contacts were deleted, or after a rebuild)."""
    segments = Segment._meta.db_table
    members = SegmentMember._meta.db_table
    where, params = ("", [])
    if segment_ids is not None:
        where, params = " WHERE segment.id = ANY(%s)", [list(segment_ids)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {segments} segment SET member_count ="  # noqa: S608 (the models' tables)
            f" (SELECT count(*) FROM {members} member WHERE member.segment_id = segment.id){where}",
            params,
        )
