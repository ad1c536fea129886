"""Recording touches, the only writer of ``Touch`` and ``SourceCampaign``.

Other marketing apps call ``record_touch`` when a campaign reaches someone: a form submission (the
form's campaign), a click in a campaign's e-mail, a member's response (``services.campaigns``).
Each touch also keeps the record's source campaign: the campaign of its earliest touch, whatever
order the touches arrive in (an upsert that only moves to an earlier touch).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.input_bounds import check_value
from modules.marketing.attribution.choices import TouchKind
from modules.marketing.attribution.models import SourceCampaign, Touch
from modules.marketing.models import Campaign

RECORDS = ("contact", "lead", "deal")


def _pk(value: Any) -> Any:
    """The id of a record given as a record or an id (None stays None)."""
    if value is None:
        return None
    return value if isinstance(value, int) else value.pk


def record_touch(
    campaign: Campaign | int,
    *,
    kind: str,
    contact: Any = None,
    lead: Any = None,
    deal: Any = None,
    occurred_at: datetime | None = None,
) -> Touch:
    """One touch of ``campaign`` on exactly one of ``contact``, ``lead`` or ``deal`` (records or
    ids), at ``occurred_at`` (now by default); the record's source campaign follows."""
    links = {"contact_id": _pk(contact), "lead_id": _pk(lead), "deal_id": _pk(deal)}
    if sum(value is not None for value in links.values()) != 1:
        raise ValidationError({"record": [_("A touch is on exactly one contact, lead or deal.")]})
    if kind not in TouchKind.values:
        raise ValidationError({"kind": [_("Choose a valid kind of touch.")]})
    occurred_at = occurred_at or timezone.now()
    check_value(occurred_at, field="occurred_at")
    with transaction.atomic():
        touch = Touch.objects.create(campaign_id=_pk(campaign), kind=kind, occurred_at=occurred_at, **links)
        _keep_sources(touch.campaign_id, [(touch.contact_id, touch.lead_id, touch.deal_id, touch.occurred_at)])
    return touch


def record_touches(
    campaign: Campaign | int, rows: Iterable[tuple[int | None, int | None, datetime]], *, kind: str
) -> int:
    """Touches of ``campaign`` in bulk: ``rows`` of (contact id, lead id, when), one of the ids set.
    Two inserts and at most three upserts, whatever the number of rows."""
    campaign_id = _pk(campaign)
    touches = [
        Touch(campaign_id=campaign_id, contact_id=contact_id, lead_id=lead_id, kind=kind, occurred_at=when)
        for contact_id, lead_id, when in rows
    ]
    if not touches:
        return 0
    with transaction.atomic():
        Touch.objects.bulk_create(touches)
        _keep_sources(campaign_id, [(touch.contact_id, touch.lead_id, None, touch.occurred_at) for touch in touches])
    return len(touches)


def _keep_sources(campaign_id: Any, rows: list[tuple[int | None, int | None, int | None, datetime]]) -> None:
    """Upsert each record's source: a new row, or the earlier of the stored and the new touch."""
    table = connection.ops.quote_name(SourceCampaign._meta.db_table)
    for index, column in enumerate(("contact_id", "lead_id", "deal_id")):
        earliest: dict[int, datetime] = {}
        for row in rows:
            record, when = row[index], row[3]
            if isinstance(record, int) and (record not in earliest or when < earliest[record]):
                earliest[record] = when
        if not earliest:
            continue
        values = ", ".join(["(%s, %s, %s)"] * len(earliest))
        params: list[Any] = []
        for record, when in sorted(earliest.items()):
            params += [record, campaign_id, when]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({column}, campaign_id, occurred_at) VALUES {values} "  # noqa: S608 (the model's own table)
                f"ON CONFLICT ({column}) DO UPDATE SET campaign_id = EXCLUDED.campaign_id, "
                f"occurred_at = EXCLUDED.occurred_at WHERE {table}.occurred_at > EXCLUDED.occurred_at",
                params,
            )
