"""Google Calendar of the local Google (``tests/google_server.py``), as the Calendar API documents
it: ``events.list`` with ``syncToken``/``pageToken``/``timeMin``/``iCalUID`` (``410 Gone`` for an
expired sync token), ``events.insert``, ``events.update``, ``events.patch`` (the fields sent) and ``events.delete``
honouring
``If-Match`` (``409`` for an id or iCalUID that exists), and ``events.instances`` by
``originalStart`` with instance ids updatable (``tests/google_calendar_instances.py``).

Google e-mails an event's attendees only when the call asks it to (``sendUpdates=all``, or
``externalOnly``; the default sends nothing): such a message is recorded in ``state.notices``
(``Notice``: an invitation or update, or a cancellation) instead of being sent. ``state`` is the
server's ``GoogleState``; the caller holds its lock."""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from tests import google_calendar_instances as instances

PAGE = 2  # small pages, so every test walks pageToken
SCHEDULING = ("start", "end", "summary", "location", "recurrence", "status")


@dataclass(frozen=True)
class Notice:
    """A message Google sent for an event: ``kind`` request (invitation or update) or cancel."""

    kind: str
    summary: str
    to: tuple[str, ...]
    send_updates: str


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _addresses(event: dict[str, Any] | None) -> set[str]:
    return {
        str(person.get("email", "")).lower()
        for person in (event or {}).get("attendees") or []
        if isinstance(person, dict) and not person.get("organizer") and not person.get("self")
    }


def notify(state: Any, query: dict[str, str], before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    """What Google sends when an event goes from ``before`` (None: new) to ``after``, if asked."""
    send_updates = query.get("sendUpdates", "none")
    if send_updates not in ("all", "externalOnly"):
        return
    old, new = _addresses(before), _addresses(after)
    summary = str(after.get("summary", ""))
    if after.get("status") == "cancelled":
        if old | new:
            state.notices.append(Notice("cancel", summary, tuple(sorted(old | new)), send_updates))
        return
    if old - new:
        state.notices.append(Notice("cancel", summary, tuple(sorted(old - new)), send_updates))
    changed = before is None or any((before or {}).get(key) != after.get(key) for key in SCHEDULING)
    told = new if changed else new - old
    if told:
        state.notices.append(Notice("request", summary, tuple(sorted(told)), send_updates))


def store_event(state: Any, event: dict[str, Any]) -> dict[str, Any]:
    state.seq += 1
    event.setdefault("id", uuid.uuid4().hex)
    event.setdefault("iCalUID", f"{event['id']}@google.com")
    event.setdefault("status", "confirmed")
    event["updated"] = _now()
    event["etag"] = f'"{state.seq}"'
    event["kind"] = "calendar#event"
    state.events[event["id"]] = event
    state.event_seq[event["id"]] = state.seq
    return dict(event)


def sync_token(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode()


def end_of(event: dict[str, Any]) -> str:
    end = event.get("end") or {}
    return str(end.get("dateTime") or end.get("date") or "")


def handle(handler: Any, state: Any, method: str, rest: str, query: dict[str, str]) -> None:
    """Answer a request to ``…/calendars/primary/events`` (``rest``: the path after it)."""
    event_id = unquote(rest.removeprefix("/")) if rest.startswith("/") else ""
    if not event_id and method == "GET":
        return _list_events(handler, state, query)
    if event_id.endswith("/instances") and method == "GET":
        series_id = event_id.removesuffix("/instances")
        if series_id not in state.events:
            return handler._error(404, "notFound")
        items = instances.instances_at(state.events, series_id, query.get("originalStart", ""))
        return handler._send(200, {"kind": "calendar#events", "items": items})
    if method in ("PUT", "PATCH") and event_id not in state.events:
        found = instances.computed_instance(state.events, event_id)
        if found is not None:  # an unchanged instance updated: it becomes an exception
            event = json.loads(handler._body() or b"{}")
            if method == "PATCH":  # patch semantics: the fields not sent stay as they are
                event = {**found, **event}
            event.update(id=event_id, iCalUID=found["iCalUID"], recurringEventId=found["recurringEventId"],
                         originalStartTime=found["originalStartTime"])  # fmt: skip
            notify(state, query, found, event)
            return handler._send(200, store_event(state, event))
    if not event_id and method == "POST":
        event = json.loads(handler._body() or b"{}")
        if event.get("id") in state.events:
            return handler._error(409, "duplicate")
        if "id" in event and not re.fullmatch(r"[a-v0-9]{5,1024}", str(event["id"])):
            return handler._error(400, "invalid")
        if event.get("iCalUID") and any(
            e.get("iCalUID") == event["iCalUID"] and e.get("status") != "cancelled" for e in state.events.values()
        ):
            return handler._error(409, "duplicate")
        notify(state, query, None, event)
        return handler._send(200, store_event(state, event))
    current = state.events.get(event_id)
    if current is None or (current.get("status") == "cancelled" and method != "GET"):
        return handler._error(410 if current is not None else 404, "deleted" if current else "notFound")
    match = handler.headers.get("If-Match")
    if match and match != current["etag"]:
        return handler._error(412, "conditionNotMet")
    if method == "GET":
        return handler._send(200, current)
    if method in ("PUT", "PATCH"):
        event = json.loads(handler._body() or b"{}")
        if method == "PATCH":  # patch semantics: the fields not sent stay as they are
            event = {**current, **event}
        event["id"], event["iCalUID"] = event_id, current["iCalUID"]
        for key in ("recurringEventId", "originalStartTime"):  # an instance stays one
            if key in current:
                event[key] = current[key]
        notify(state, query, current, event)
        return handler._send(200, store_event(state, event))
    if method == "DELETE":
        notify(state, query, dict(current), {**current, "status": "cancelled"})
        current["status"] = "cancelled"
        store_event(state, current)
        return handler._send(204)
    return handler._error(405, "methodNotAllowed")


def _list_events(handler: Any, state: Any, query: dict[str, str]) -> None:
    token = query.get("syncToken", "")
    since = 0
    if token:
        if state.expired_sync_tokens:
            return handler._error(410, "fullSyncRequired")
        match = re.fullmatch(r"seq:(\d+)", base64.urlsafe_b64decode(token.encode()).decode())
        if match is None:
            return handler._error(400, "invalid")
        since = int(match.group(1))
        if query.get("timeMin"):
            return handler._error(400, "invalid")
    show_deleted = bool(token) or query.get("showDeleted") == "true"
    rows = sorted(state.events.values(), key=lambda e: state.event_seq[e["id"]])
    rows = [e for e in rows if state.event_seq[e["id"]] > since]
    if query.get("iCalUID"):
        rows = [e for e in rows if e.get("iCalUID") == query["iCalUID"]]
    if not show_deleted:
        # Cancelled instances of a series are listed all the same (singleEvents=false).
        rows = [e for e in rows if e.get("status") != "cancelled" or e.get("recurringEventId")]
    if query.get("timeMin") and not token:
        low = query["timeMin"]
        rows = [e for e in rows if e.get("recurrence") or end_of(e) >= low]
    offset = int(query.get("pageToken") or 0)
    page = rows[offset : offset + PAGE]
    data: dict[str, Any] = {"kind": "calendar#events", "items": page}
    if offset + PAGE < len(rows):
        data["nextPageToken"] = str(offset + PAGE)
    else:
        data["nextSyncToken"] = sync_token(state.seq)
    return handler._send(200, data)
