"""Campaign members follow what people do: a campaign's marketing e-mail handed over makes its
recipient a member "sent", a click in it, a submission of the campaign's web form or an answer to
its survey makes them "responded" — added when not a member yet, moved up when behind, never moved
back (a member marked registered or attended by hand stays so).

The apps that know which campaign an event belongs to register it from their ``AppConfig.ready()``
(``register_progress(event_type, status, campaigns_of)``, ``campaigns_of(ids)`` mapping the ids in
the events' ``data["id"]`` — an e-mail, a form, a survey — to their campaign), so this module
imports none of them. The outbox consumer ``marketing-campaign-members`` reads each batch of events
and writes set-based: per campaign and status, one ``INSERT … ON CONFLICT DO NOTHING`` of the new
members and one ``UPDATE`` of those behind, each with their ``campaign.member_added`` /
``campaign.member_status_changed`` events for the rows written. Idempotent: a redelivered batch
finds its members already there. No timeline entry and no attribution touch: the contact's timeline
already shows the e-mail, form or survey, and the app that saw the response recorded its touch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from customization.events.models import DomainEvent
from customization.events.outbox import emit_many
from modules.contacts.models import Contact
from modules.marketing.choices import MemberStatus
from modules.marketing.models import CampaignMember
from modules.sales.models import Lead

CONSUMER_NAME = "marketing-campaign-members"
ORDER = tuple(MemberStatus.values)  # targeted, sent, responded, registered, attended
RESPONSES = frozenset({MemberStatus.RESPONDED, MemberStatus.REGISTERED, MemberStatus.ATTENDED})
SUBJECTS = {"contact": "contact_id", "lead": "lead_id"}  # an event's entity → the member's column
ENTITY = "campaign"


@dataclass(frozen=True)
class Progress:
    status: str
    campaigns_of: Callable[[set[int]], dict[int, int]]  # e-mail / form / survey ids → campaign id


_PROGRESS: dict[str, Progress] = {}


def register_progress(event_type: str, status: str, campaigns_of: Callable[[set[int]], dict[int, int]]) -> None:
    if status not in ORDER:
        raise ValueError(status)
    _PROGRESS[event_type] = Progress(status, campaigns_of)


def _event_id(event: DomainEvent) -> int | None:
    value = (event.data or {}).get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def consume(events: Sequence[DomainEvent]) -> None:
    relevant = [e for e in events if e.type in _PROGRESS and e.entity in SUBJECTS and _event_id(e) is not None]
    if not relevant:
        return
    by_type: dict[str, set[int]] = defaultdict(set)
    for event in relevant:
        by_type[event.type].add(_event_id(event))  # type: ignore[arg-type]
    campaigns = {event_type: _PROGRESS[event_type].campaigns_of(ids) for event_type, ids in by_type.items()}
    # (campaign, status, subject) → record ids
    wanted: dict[tuple[int, str, str], set[int]] = defaultdict(set)
    for event in relevant:
        campaign_id = campaigns[event.type].get(_event_id(event))  # type: ignore[arg-type]
        if campaign_id is not None:
            wanted[(campaign_id, _PROGRESS[event.type].status, event.entity)].add(event.record_id)
    # The furthest status first: a record both sent and responded in one batch ends responded.
    for (campaign_id, status, subject), ids in sorted(wanted.items(), key=lambda item: -ORDER.index(item[0][1])):
        reach_status(campaign_id, status, **{f"{subject}_ids": ids})


def reach_status(
    campaign_id: int, status: str, *, contact_ids: Collection[int] = (), lead_ids: Collection[int] = ()
) -> tuple[int, int]:
    """Contacts and leads (ids; ones that no longer exist are skipped) reach at least ``status`` in
    the campaign: (members added, members moved up). Call inside a transaction."""
    added = moved = 0
    for subject, ids in (("contact", contact_ids), ("lead", lead_ids)):
        if ids:
            model = Contact if subject == "contact" else Lead
            new, up = _reach(campaign_id, status, SUBJECTS[subject], model, sorted(set(ids)))
            added, moved = added + new, moved + up
    return added, moved


def _reach(campaign_id: int, status: str, column: str, model: type[Model], ids: list[int]) -> tuple[int, int]:
    table = connection.ops.quote_name(CampaignMember._meta.db_table)
    record_table = connection.ops.quote_name(model._meta.db_table)
    now = timezone.now()
    responded_at = now if status in RESPONSES else None
    behind = list(ORDER[: ORDER.index(status)])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (campaign_id, {column}, status, responded_at, created_at, updated_at) "  # noqa: S608 (model tables)
            f"SELECT %s, r.id, %s, %s::timestamptz, %s, %s FROM {record_table} r WHERE r.id = ANY(%s) "
            f"ON CONFLICT (campaign_id, {column}) WHERE {column} IS NOT NULL DO NOTHING "
            f"RETURNING id, contact_id, lead_id",
            [campaign_id, status, responded_at, now, now, ids],
        )
        added = cursor.fetchall()
        cursor.execute(
            f"WITH behind AS (SELECT id, status FROM {table} WHERE campaign_id = %s AND {column} = ANY(%s) "  # noqa: S608
            f"AND status = ANY(%s) FOR UPDATE) "
            f"UPDATE {table} m SET status = %s, responded_at = COALESCE(m.responded_at, %s::timestamptz), "
            f"updated_at = %s "
            f"FROM behind WHERE m.id = behind.id RETURNING m.id, m.contact_id, m.lead_id, behind.status",
            [campaign_id, ids, behind, status, responded_at, now],
        )
        moved = cursor.fetchall()
    if added:
        emit_many("campaign.member_added", entity=ENTITY, records=_records(campaign_id, status, added))
    if moved:
        emit_many(
            "campaign.member_status_changed",
            entity=ENTITY,
            records=_records(campaign_id, status, [row[:3] for row in moved], [row[3] for row in moved]),
        )
    return len(added), len(moved)


def _records(
    campaign_id: int, status: str, rows: Iterable[tuple[int, int | None, int | None]], previous: list[str] | None = None
) -> list[tuple[int, dict[str, Any]]]:
    """The events' data, as ``services.campaigns`` writes it for a member added or moved by hand."""
    records = []
    for index, (member_id, contact_id, lead_id) in enumerate(rows):
        data: dict[str, Any] = {"id": campaign_id, "member": member_id, "contact": contact_id, "lead": lead_id,
                                "status": status}  # fmt: skip
        if previous is not None:
            data["from_status"] = previous[index]
        records.append((campaign_id, data))
    return records
