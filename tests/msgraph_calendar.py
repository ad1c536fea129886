"""Calendar endpoints of the local Microsoft Graph (``tests/msgraph_server.py``), as Graph
documents them: ``calendarView/delta`` (pages with ``@odata.nextLink``, a ``@odata.deltaLink``,
removed events as ``@removed``; a series master stands in the delta as an occurrence), ``/me/events``
create (``transactionId`` honoured), read, update (a new ``changeKey`` each change), cancel and
delete, a series' ``/instances`` and its occurrences patched or deleted
(``tests/msgraph_instances.py``).

Exchange e-mails the attendees of an organiser's event itself, and cannot be told not to: an event
created with attendees invites them, a change of its time, subject or place updates them, an
attendee added is invited and one taken off told it is cancelled, a cancelled or deleted event (or
occurrence) cancels it for everyone; the user's copy of an event someone else organises tells
nobody. The fake records each of these messages in ``fake.notices``
(``Notice``) instead of sending it, so tests see who Outlook would have written to."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from tests import msgraph_instances as graph_instances

SCHEDULING = ("start", "end", "subject", "location", "recurrence", "isAllDay")


@dataclass(frozen=True)
class Notice:
    """A message Exchange sent for an event: ``kind`` request (invitation or update) or cancel."""

    kind: str
    subject: str
    to: tuple[str, ...]
    occurrence: str = ""  # the original start of the one occurrence it is about


def attendee_addresses(body: dict[str, Any]) -> list[str]:
    return [
        str((entry.get("emailAddress") or {}).get("address", "")).lower()
        for entry in body.get("attendees") or []
        if isinstance(entry, dict)
    ]


def notify(fake: Any, before: dict[str, Any] | None, after: dict[str, Any], *, occurrence: str = "") -> None:
    """What Exchange sends when an event goes from ``before`` (None: new) to ``after``: nothing for
    an event someone else organises (the user's copy of an invitation: changing it tells nobody)."""
    organizer = str(((after.get("organizer") or {}).get("emailAddress") or {}).get("address", "")).lower()
    if organizer and organizer != str(fake.email).lower():
        return
    old = attendee_addresses(before) if before is not None else []
    new = attendee_addresses(after)
    subject = str(after.get("subject", ""))
    if after.get("isCancelled") and not (before or {}).get("isCancelled"):
        if everyone := sorted(set(old) | set(new)):  # an event without attendees e-mails nobody
            fake.notices.append(Notice("cancel", subject, tuple(everyone), occurrence))
        return
    if removed := sorted(set(old) - set(new)):
        fake.notices.append(Notice("cancel", subject, tuple(removed), occurrence))
    changed = before is None or any(before.get(key) != after.get(key) for key in SCHEDULING)
    told = sorted(set(new)) if changed else sorted(set(new) - set(old))
    if told:
        fake.notices.append(Notice("request", subject, tuple(told), occurrence))


def delta_row(event: Any) -> dict[str, Any]:
    """calendarView/delta never returns a series master: its instances stand for it."""
    if event.deleted:
        return {"id": event.id, "@removed": {"reason": "deleted"}}
    if event.body.get("type") == "seriesMaster":
        return {
            "id": f"{event.id}-occurrence", "type": "occurrence", "seriesMasterId": event.id,
            "start": event.body["start"], "end": event.body["end"], "changeKey": event.body["changeKey"],
        }  # fmt: skip
    return dict(event.body)


def calendar_delta(handler: Any, query: dict[str, list[str]]) -> None:
    fake = handler.fake
    token = query.get("$deltatoken", [""])[0]
    skip = query.get("$skiptoken", [""])[0]
    since, offset = 0, 0
    if skip:
        since_text, _sep, offset_text = skip.partition(".")
        since, offset = int(since_text), int(offset_text)
    elif token:
        since = int(token)
    elif not (query.get("startDateTime") and query.get("endDateTime")):
        handler._graph_error(400, "ErrorInvalidParameter", "startDateTime and endDateTime are required")
        return
    with fake.lock:
        changed = sorted((e for e in fake.events.values() if e.sequence > since), key=lambda e: e.sequence)
        top = max((e.sequence for e in fake.events.values()), default=since)
        rows = [delta_row(e) for e in changed]
    size = handler._page_size()
    base = f"{fake.base_url}/v1.0/me/calendarView/delta"
    body: dict[str, Any] = {"value": rows[offset : offset + size]}
    if offset + size < len(rows):
        body["@odata.nextLink"] = f"{base}?$skiptoken={since}.{offset + size}"
    else:
        body["@odata.deltaLink"] = f"{base}?$deltatoken={max(top, since)}"
    handler._send(200, body)


def _not_found(handler: Any) -> None:
    handler._graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def handle(handler: Any, method: str, segments: list[str], query: dict[str, list[str]]) -> bool:
    """Answer the calendar requests among Graph's (``segments`` of the path after ``/v1.0``);
    False for any other request."""
    fake = handler.fake
    events = len(segments) >= 3 and segments[:2] == ["me", "events"]
    if method == "GET" and segments == ["me", "calendarView", "delta"]:
        calendar_delta(handler, query)
    elif method == "POST" and segments == ["me", "events"]:
        body = json.loads(handler._body() or b"{}")
        with fake.lock:  # transactionId: a retried POST returns the event it created
            existing = next(
                (
                    e
                    for e in fake.events.values()
                    if body.get("transactionId") and e.body.get("transactionId") == body["transactionId"]
                ),
                None,
            )
        event = existing or fake.put_event(body)
        if existing is None:
            notify(fake, None, event.body)
        handler._send(201, event.body)
    elif method == "GET" and events and len(segments) == 4 and segments[3] == "instances":
        _instances(handler, segments[2], query)
    elif method == "GET" and events and len(segments) == 3:
        found = fake.events.get(segments[2])
        if found is None or found.deleted:
            _not_found(handler)
            return True
        handler._send(200, found.body)
    elif method == "POST" and events and len(segments) == 4 and segments[3] == "cancel":
        found = fake.events.get(segments[2])
        if found is None or found.deleted:
            _not_found(handler)
            return True
        with fake.lock:
            before = dict(found.body)
            found.body.update(isCancelled=True, changeKey=uuid.uuid4().hex, lastModifiedDateTime=fake.now_iso())
            found.sequence = fake.next_sequence()
            notify(fake, before, found.body)
        handler._send(202)
    elif method in ("PATCH", "DELETE") and events and len(segments) == 3:
        _change(handler, method, segments[2])
    else:
        return False
    return True


def _instances(handler: Any, master_id: str, query: dict[str, list[str]]) -> None:
    fake = handler.fake
    if not (query.get("startDateTime") and query.get("endDateTime")):
        handler._graph_error(400, "ErrorInvalidParameter", "startDateTime and endDateTime are required")
        return
    with fake.lock:
        master = fake.events.get(master_id)
        exceptions = [
            dict(e.body) for e in fake.events.values() if not e.deleted and e.body.get("seriesMasterId") == master_id
        ]
        if master is None or master.deleted or not master.body.get("recurrence"):
            rows = exceptions
        else:
            low = graph_instances.moment(query["startDateTime"][0])
            high = graph_instances.moment(query["endDateTime"][0])
            deleted = fake.deleted_occurrences.get(master.id, set())
            rows = graph_instances.instances(master.id, master.body, exceptions, deleted, low, high)
    handler._send(200, {"value": rows})


def _change(handler: Any, method: str, event_id: str) -> None:
    fake = handler.fake
    with fake.lock:
        if _occurrence(handler, method, event_id):
            return
        event = fake.events.get(event_id)
    if event is None or event.deleted:
        _not_found(handler)
        return
    with fake.lock:
        before = dict(event.body)
        event.sequence = fake.next_sequence()
        if method == "DELETE":
            event.deleted = True
            notify(fake, before, {**before, "isCancelled": True})
        else:
            event.body.update(json.loads(handler._body() or b"{}"))
            event.body["lastModifiedDateTime"] = fake.now_iso()
            event.body["changeKey"] = uuid.uuid4().hex
            notify(fake, before, event.body)
    handler._send(204) if method == "DELETE" else handler._send(200, event.body)


def _occurrence(handler: Any, method: str, event_id: str) -> bool:
    """PATCH or DELETE of an occurrence of a series (caller holds the lock): a PATCH makes it an
    exception, a DELETE takes it out of the series (an exception's original start too)."""
    fake = handler.fake
    for master in fake.events.values():
        if master.deleted or not master.body.get("recurrence"):
            continue
        stored = fake.events.get(event_id)
        found = graph_instances.find_occurrence(master.id, master.body, event_id)
        before = found
        if stored is not None and stored.body.get("seriesMasterId") == master.id and method == "DELETE":
            stored.deleted, stored.sequence = True, fake.next_sequence()
            before = dict(stored.body)
            found = {"originalStart": stored.body["originalStart"]}
        elif found is None or stored is not None:
            continue
        master.sequence = fake.next_sequence()  # the series changed: the delta says so
        if method == "DELETE":
            fake.deleted_occurrences.setdefault(master.id, set()).add(found["originalStart"])
            shown = before or master.body
            notify(fake, shown, {**shown, "isCancelled": True}, occurrence=found["originalStart"])
            handler._send(204)
            return True
        body = {**found, **json.loads(handler._body() or b"{}"), "type": "exception", "id": event_id}
        body.update(lastModifiedDateTime=fake.now_iso(), changeKey=uuid.uuid4().hex)
        fake.events[event_id] = fake.event_type(event_id, body, fake.next_sequence())
        notify(fake, found, body, occurrence=found["originalStart"])
        handler._send(200, body)
        return True
    return False
