"""Segments and static lists: the only writer of ``Segment`` and ``SegmentMember``.

A dynamic segment's rules are checked (``rules.clean_rules``, errors keyed ``rules.<path>``) and
its membership is rebuilt set-based after the save commits (a task: a rebuild over a million
contacts must not hold a request); from then on the outbox consumer keeps it current. A static
list's members are added and removed here (by hand, by a CSV of addresses, by a workflow), with the
same entered/left events a dynamic segment emits."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Model, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from customization.events.outbox import dispatch_after_commit, insert_select_sql
from identity.models import User
from identity.services.audit import audit
from modules.contacts.models import Contact
from modules.contacts.services.records import check_fields, validated
from modules.marketing.choices import MembershipSource, SegmentKind
from modules.marketing.models import Segment, SegmentMember
from modules.marketing.segments import membership
from modules.marketing.segments.membership import ENTERED, LEFT, Change
from modules.marketing.segments.rules import clean_rules, empty_rules

FIELDS = ("name", "description", "kind", "rules", "owner")
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 100_000


def _prepare(segment: Segment, values: dict[str, Any]) -> None:
    check_fields(Segment, values, FIELDS)
    for name, value in values.items():
        setattr(segment, name, value)
    segment.name = " ".join(str(segment.name or "").split())
    if segment.kind == SegmentKind.STATIC:
        segment.rules = {}
    elif segment.kind == SegmentKind.DYNAMIC:
        segment.rules = clean_rules(segment.rules)
    validated(segment, exclude=["rules"])


def _rebuild_after_commit(segment: Segment) -> None:
    from modules.marketing.segments.tasks import rebuild_segment

    segment_id = segment.pk
    transaction.on_commit(lambda: rebuild_segment.apply_async((segment_id,), retry=False), robust=True)


def create_segment(*, by: User | None, **values: Any) -> Segment:
    values.setdefault("rules", empty_rules() if values.get("kind", SegmentKind.DYNAMIC) == SegmentKind.DYNAMIC else {})
    segment = Segment(created_by=by, owner=values.pop("owner", by))
    _prepare(segment, values)
    with transaction.atomic():
        segment.save()
        audit("segment.created", _("Segment %(name)s created") % {"name": segment.name}, by=by, target=segment.name)
        if segment.kind == SegmentKind.DYNAMIC:
            _rebuild_after_commit(segment)
    return segment


def update_segment(segment: Segment, *, by: User | None, **values: Any) -> Segment:
    """A segment's kind is fixed once created (a list's members are people's work; rules would
    replace them)."""
    if "kind" in values and values["kind"] != segment.kind:
        raise ValidationError({"kind": [_("A segment keeps its kind; create a new one instead.")]})
    rules_before = segment.rules
    _prepare(segment, values)
    with transaction.atomic():
        segment.save()
        if segment.kind == SegmentKind.DYNAMIC and segment.rules != rules_before:
            _rebuild_after_commit(segment)
    return segment


def delete_segment(segment: Segment, *, by: User | None) -> None:
    with transaction.atomic():
        audit("segment.deleted", _("Segment %(name)s deleted") % {"name": segment.name}, by=by, target=segment.name)
        segment.delete()


def rebuild(segment: Segment) -> Change:
    """Make a dynamic segment's membership what its rules say now, set-based, emitting the
    entered/left events; updates its member count and evaluation time."""
    if segment.kind != SegmentKind.DYNAMIC:
        raise ValueError("only a dynamic segment is rebuilt from rules")
    with transaction.atomic():
        locked = Segment.objects.select_for_update().get(pk=segment.pk)
        rules = clean_rules(locked.rules)
        change = membership.apply_rules(locked, rules)
        membership.recount([locked.pk])
        Segment.objects.filter(pk=locked.pk).update(evaluated_at=timezone.now())
    segment.refresh_from_db(fields=["member_count", "evaluated_at"])
    return change


# --- Static lists --------------------------------------------------------------------------------


def _ids_sql(contacts: QuerySet[Contact] | Iterable[Contact | int]) -> tuple[str, list[Any]]:
    if isinstance(contacts, QuerySet):
        query = contacts.order_by().values("pk").query
        sql, params = query.get_compiler(connection=connection).as_sql()
        return sql, list(params)
    ids = sorted({item.pk if isinstance(item, Model) else int(item) for item in contacts})
    return "SELECT unnest(%s::bigint[]) AS id", [ids]


def _static(segment: Segment) -> None:
    if segment.kind != SegmentKind.STATIC:
        raise ValidationError({"segment": [_("Contacts are added by hand only to a static list.")]})


def add_to_list(segment: Segment, contacts: QuerySet[Contact] | Iterable[Contact | int], *, by: User | None) -> int:
    """Add ``contacts`` (a queryset, contacts or ids) to a static list; those already in it stay
    as they are. Returns how many entered (each gets a ``segment.contact_entered`` event)."""
    _static(segment)
    members = SegmentMember._meta.db_table
    source_sql, source_params = _ids_sql(contacts)
    events_sql, events_params = insert_select_sql(
        ENTERED, entity="contact", source="entered", data={"id": segment.pk}, actor=by
    )
    sql = f"""
        WITH wanted(id) AS ({source_sql}),
        entered AS (
            INSERT INTO {members} (segment_id, contact_id, source, added_at)
            SELECT %s, contact.id, %s, now() FROM {Contact._meta.db_table} contact
            WHERE contact.id IN (SELECT id FROM wanted)
            ON CONFLICT (segment_id, contact_id) DO NOTHING
            RETURNING contact_id AS record_id
        ),
        events AS ({events_sql} RETURNING 1)
        SELECT count(*) FROM events
    """  # noqa: S608 (table names are the models'; values are parameters)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [*source_params, segment.pk, MembershipSource.MANUAL, *events_params])
        added = int(cursor.fetchone()[0])
        _after_list_change(segment, added)
    return added


def remove_from_list(
    segment: Segment, contacts: QuerySet[Contact] | Iterable[Contact | int], *, by: User | None
) -> int:
    """Take ``contacts`` out of a static list; returns how many left (each with an event)."""
    _static(segment)
    members = SegmentMember._meta.db_table
    source_sql, source_params = _ids_sql(contacts)
    events_sql, events_params = insert_select_sql(
        LEFT, entity="contact", source="gone", data={"id": segment.pk}, actor=by
    )
    sql = f"""
        WITH unwanted(id) AS ({source_sql}),
        gone AS (
            DELETE FROM {members} member
            WHERE member.segment_id = %s AND member.contact_id IN (SELECT id FROM unwanted)
            RETURNING member.contact_id AS record_id
        ),
        events AS ({events_sql} RETURNING 1)
        SELECT count(*) FROM events
    """  # noqa: S608 (table names are the models'; values are parameters)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [*source_params, segment.pk, *events_params])
        removed = int(cursor.fetchone()[0])
        _after_list_change(segment, -removed)
    return removed


def _after_list_change(segment: Segment, delta: int) -> None:
    if delta:
        Segment.objects.filter(pk=segment.pk).update(member_count=F("member_count") + delta)
        dispatch_after_commit()
    segment.refresh_from_db(fields=["member_count"])


@dataclass
class ImportReport:
    addresses: int = 0
    added: int = 0
    already: int = 0
    unknown: list[str] = field(default_factory=list)
    unknown_count: int = 0


def _addresses(data: bytes) -> list[str]:
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError({"file": [_("The file is larger than 5 MB.")]})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": [_("The file is not UTF-8 text.")]}) from None
    if "\x00" in text:
        raise ValidationError({"file": [_("The file is not a CSV file.")]})
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        raise ValidationError({"file": [_("The file is not a CSV file.")]}) from None
    if len(rows) > MAX_IMPORT_ROWS:
        raise ValidationError({"file": [_("Import at most %(count)d rows at once.") % {"count": MAX_IMPORT_ROWS}]})
    column = 0
    if rows and any(cell.strip().lower() in ("email", "e-mail", "email address") for cell in rows[0]):
        column = next(
            i for i, cell in enumerate(rows[0]) if cell.strip().lower() in ("email", "e-mail", "email address")
        )
        rows = rows[1:]
    found = {row[column].strip().lower() for row in rows if len(row) > column and "@" in row[column]}
    if not found:
        raise ValidationError({"file": [_("The file holds no e-mail address.")]})
    return sorted(address for address in found if len(address) <= 254)


def import_list_csv(segment: Segment, data: bytes, *, by: User | None) -> ImportReport:
    """Add the contacts whose e-mail address is in a CSV (a column named e-mail, or the first
    column) to a static list; addresses no contact has are reported, not created."""
    _static(segment)
    addresses = _addresses(data)
    contacts = Contact.objects.annotate(address=Lower("email")).filter(address__in=addresses)
    known = set(contacts.values_list("address", flat=True))
    matched = contacts.count()
    report = ImportReport(addresses=len(addresses))
    report.added = add_to_list(segment, contacts, by=by)
    report.already = matched - report.added
    unknown = [address for address in addresses if address not in known]
    report.unknown_count, report.unknown = len(unknown), unknown[:20]
    audit(
        "segment.imported",
        _("%(count)d contacts added to %(name)s from a file") % {"count": report.added, "name": segment.name},
        by=by,
        target=segment.name,
    )
    return report
