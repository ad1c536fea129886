"""A small client of the Google Calendar API (REST, ``calendar/v3``) for the user's primary
calendar: incremental listing with ``syncToken`` (``410 Gone`` when Google wants a full read
again), and events inserted, updated (``If-Match`` on the event's ``etag``) and deleted.

Calls carry the connected account's OAuth2 access token (``token(rejected)``: the current one,
or a refreshed one when ``rejected`` names the token Google just refused); a ``401`` is answered
once by a refresh, a second one is ``Unauthorized`` (the sync stops and tells the user). The
API's address is ``settings.GOOGLE_CALENDAR_API_URL`` (tests use a local server speaking the
same protocol). Errors derive from the CalDAV client's, so the sync treats both alike: refused
access stops the connection, anything else is retried later."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.utils.translation import gettext as _

from customization import outbound_http
from modules.activities.calendar_sync.services.client import AccessRefused, PreconditionFailed, Unavailable
from modules.oauth_accounts.google import GoogleApi, TokenSource

TIMEOUT = 30
MAX_ANSWER = 20 * 1024 * 1024
PAGE_SIZE = 250


class Unauthorized(AccessRefused):
    """Google refused the access token even after a refresh."""


class SyncTokenGone(Unavailable):
    """``410 Gone``: the sync token is no longer valid; read the calendar in full again."""


class AlreadyExists(Unavailable):
    """``409``: an event with that UID exists (written by a run that died before remembering it)."""


class EventGone(Unavailable):
    """``404``/``410`` on one event: it was deleted there."""


def rfc3339(moment: datetime) -> str:
    return moment.isoformat()


class GoogleCalendarClient:
    def __init__(self, token: TokenSource, *, base_url: str | None = None, calendar: str = "primary") -> None:
        self._api = GoogleApi(token, timeout=TIMEOUT, max_answer=MAX_ANSWER)
        base = (base_url or settings.GOOGLE_CALENDAR_API_URL).rstrip("/")
        self._events = f"{base}/calendars/{quote(calendar, safe='')}/events"

    def _call(
        self, method: str, path: str = "", *, params: dict[str, Any] | None = None, body: Any = None,
        etag: str = "",
    ) -> tuple[int, dict[str, Any]]:  # fmt: skip
        try:
            answer = self._api.send(
                method, self._events + path, params=params, body=body, headers={"If-Match": etag} if etag else None
            )
        except outbound_http.OutboundError as error:
            raise Unavailable(_("Google Calendar could not be reached: %(error)s") % {"error": error}) from error
        status = answer.status
        if status == 401:
            raise Unauthorized(_("Google refused the access to the calendar: connect it again."))
        if status == 403:
            raise AccessRefused(_("Google refused the access to the calendar (403): connect it again."))
        if status == 412:
            raise PreconditionFailed(_("The event changed in Google Calendar meanwhile."))
        if status == 409:
            raise AlreadyExists(_("The event exists in Google Calendar already."))
        if status in (404, 410) and path:
            raise EventGone(_("The event is gone from Google Calendar."))
        if status == 410:
            raise SyncTokenGone(_("Google Calendar asks for a full read."))
        if not 200 <= status < 300:
            raise Unavailable(_("Google Calendar answered %(status)s.") % {"status": status})
        try:
            data = json.loads(answer.body) if answer.body.strip() else {}
        except ValueError as error:
            raise Unavailable(_("Google Calendar's answer could not be read.")) from error
        return status, data if isinstance(data, dict) else {}

    def changes(self, *, sync_token: str = "", time_min: datetime | None = None) -> tuple[list[dict[str, Any]], str]:
        """Every event changed since ``sync_token`` (deleted ones with status ``cancelled``), or
        with no token every event ending after ``time_min``; and the next sync token. Recurring
        events come as one series event plus its changed or cancelled instances
        (``recurringEventId``, ``originalStartTime``)."""
        items: list[dict[str, Any]] = []
        page_token = ""
        while True:
            params: dict[str, Any] = {"maxResults": PAGE_SIZE, "pageToken": page_token}
            if sync_token:
                params["syncToken"] = sync_token
            else:
                params["showDeleted"] = "false"
                if time_min is not None:
                    params["timeMin"] = rfc3339(time_min)
            _status, page = self._call("GET", params=params)
            items.extend(item for item in page.get("items") or [] if isinstance(item, dict))
            page_token = str(page.get("nextPageToken") or "")
            if not page_token:
                return items, str(page.get("nextSyncToken") or "")

    def find(self, ical_uid: str) -> dict[str, Any] | None:
        """The event of that iCalendar UID (not its instances), if there is one."""
        _status, page = self._call("GET", params={"iCalUID": ical_uid, "showDeleted": "false"})
        found = [
            item for item in page.get("items") or [] if isinstance(item, dict) and not item.get("recurringEventId")
        ]
        return found[0] if found else None

    def instance(self, event_id: str, original: datetime) -> dict[str, Any] | None:
        """The instance of a recurring event that originally starts at ``original`` (``events.instances``
        with ``originalStart``), changed or not; None when the series has none there."""
        try:
            _status, page = self._call(
                "GET",
                f"/{quote(event_id, safe='')}/instances",
                params={"originalStart": rfc3339(original), "showDeleted": "true"},
            )
        except EventGone:
            return None
        found = [item for item in page.get("items") or [] if isinstance(item, dict) and item.get("id")]
        return found[0] if found else None

    # ``send_updates``: whether Google e-mails the attendees about the change (``all``) or not
    # (``none``, its default); the sync asks for it for meetings whose invitations are the user's.

    def insert(self, event: dict[str, Any], *, send_updates: str = "none") -> dict[str, Any]:
        return self._call("POST", params={"sendUpdates": send_updates}, body=event)[1]

    def update(
        self, event_id: str, event: dict[str, Any], *, etag: str, send_updates: str = "none", patch: bool = False
    ) -> dict[str, Any]:
        """``events.update`` (the event replaced), or ``events.patch`` with ``patch`` (only the fields
        sent change: what is left out, such as the attendees of a meeting someone else organises,
        stays as Google has it)."""
        path = f"/{quote(event_id, safe='')}"
        method = "PATCH" if patch else "PUT"
        return self._call(method, path, params={"sendUpdates": send_updates}, body=event, etag=etag)[1]

    def delete(self, event_id: str, *, send_updates: str = "none") -> None:
        try:
            self._call("DELETE", f"/{quote(event_id, safe='')}", params={"sendUpdates": send_updates})
        except EventGone:
            return  # gone already: what was wanted
