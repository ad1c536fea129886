"""A small client of the Gmail API (REST, ``gmail/v1``): what reading a mailbox and sending from
it need, and nothing more.

Calls carry the account's OAuth2 access token (``token(rejected)``, a callable: the connected
account's current token, or when ``rejected`` names the token Gmail just refused, a refreshed
one). A ``401`` is answered once by refreshing the token and asking again; a second ``401`` is
``Unauthorized``. The API's address
comes from ``settings.GOOGLE_GMAIL_API_URL`` (tests point it at a local server speaking the same
protocol). Requests go through ``customization.outbound_http``, which refuses internal addresses
unless the platform allows them. Error texts are shown to the mailbox's owner: they name the
status, never an address or a token."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.utils.translation import gettext as _

from customization import outbound_http
from modules.mailboxes.services import gmail_batch
from modules.oauth_accounts.google import GoogleApi, TokenSource

TIMEOUT = 60
MAX_ANSWER = 64 * 1024 * 1024  # a raw message of Gmail's 25 MB limit, base64url-encoded, and more
PAGE_SIZE = 500


class GmailError(Exception):
    """The Gmail API could not be used; ``str(error)`` is fit to show to the mailbox's owner."""


class Unauthorized(GmailError):
    """The access token is refused even after a refresh."""


class NotFound(GmailError):
    """The thing asked for is gone (for ``history``: the start point is too old, RFC: 404)."""


@dataclass(frozen=True)
class GmailMessage:
    id: str
    thread_id: str
    label_ids: list[str] = field(default_factory=list)
    raw: bytes = b""


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


class GmailClient:
    def __init__(self, token: TokenSource, *, base_url: str | None = None) -> None:
        self._api = GoogleApi(token, timeout=TIMEOUT, max_answer=MAX_ANSWER)
        self._base = (base_url or settings.GOOGLE_GMAIL_API_URL).rstrip("/")

    def _call(self, method: str, path: str, params: dict[str, Any] | None = None, body: Any = None) -> dict[str, Any]:
        try:
            answer = self._api.send(method, f"{self._base}/users/me/{path}", params=params, body=body)
        except outbound_http.OutboundError as error:
            raise GmailError(_("Gmail could not be reached: %(error)s") % {"error": error}) from error
        if answer.status == 401:
            raise Unauthorized(_("Gmail refused the access token."))
        if answer.status == 404:
            raise NotFound(_("Gmail answered 404 (not found)."))
        if not 200 <= answer.status < 300:
            raise GmailError(_("Gmail answered %(status)s.") % {"status": answer.status})
        if not answer.body.strip():
            return {}
        try:
            data = json.loads(answer.body)
        except ValueError as error:
            raise GmailError(_("Gmail's answer could not be read.")) from error
        if not isinstance(data, dict):
            raise GmailError(_("Gmail's answer could not be read."))
        return data

    def profile(self) -> dict[str, Any]:
        """``emailAddress`` and the mailbox's current ``historyId``."""
        return self._call("GET", "profile")

    def message_ids(self, query: str) -> Iterator[tuple[str, str]]:
        """(id, threadId) of every message matching ``query`` (Gmail's search syntax), page by page."""
        token = ""
        while True:
            page = self._call("GET", "messages", {"q": query, "maxResults": PAGE_SIZE, "pageToken": token})
            for item in page.get("messages") or []:
                yield str(item.get("id", "")), str(item.get("threadId", ""))
            token = str(page.get("nextPageToken") or "")
            if not token:
                return

    def history(self, start_history_id: str) -> tuple[list[str], str]:
        """The ids of messages added since ``start_history_id`` (oldest first, once each) and the
        history id reached; ``NotFound`` when the start point is too old to be kept by Gmail."""
        added: dict[str, None] = {}
        token = ""
        latest = start_history_id
        while True:
            page = self._call(
                "GET",
                "history",
                {"startHistoryId": start_history_id, "historyTypes": "messageAdded", "pageToken": token,
                 "maxResults": PAGE_SIZE},
            )  # fmt: skip
            for record in page.get("history") or []:
                for item in record.get("messagesAdded") or []:
                    message_id = str((item.get("message") or {}).get("id", ""))
                    if message_id:
                        added[message_id] = None
            latest = str(page.get("historyId") or latest)
            token = str(page.get("nextPageToken") or "")
            if not token:
                return list(added), latest

    def message(self, message_id: str) -> GmailMessage:
        """One message with its RFC 5322 bytes (``format=raw``)."""
        return self._message(message_id, self._call("GET", f"messages/{quote(message_id, safe='')}", {"format": "raw"}))

    def messages(self, message_ids: list[str]) -> list[GmailMessage]:
        """The messages of ``message_ids`` that still exist, in that order, fetched through the
        batch endpoint ``gmail_batch.BATCH_CALLS`` at a time. Calls answered ``401`` (the token
        expired meanwhile) make the batch go again once with a refreshed token; a call still not
        answered with its message (a part unreadable, a 429, a 5xx) is asked again on its own,
        with ``message``'s errors."""
        found: list[GmailMessage] = []
        for start in range(0, len(message_ids), gmail_batch.BATCH_CALLS):
            chunk = message_ids[start : start + gmail_batch.BATCH_CALLS]
            answers = self._batch(chunk)
            if any(status == 401 for status, _data in answers.values()):
                self._api.renew()  # the token expired since it was last used: once, with a new one
                answers = self._batch(chunk)
            for index, message_id in enumerate(chunk):
                status, data = answers.get(index, (0, {}))
                if status == 404:
                    continue  # deleted since it was listed
                try:
                    found.append(self._message(message_id, data) if status == 200 else self.message(message_id))
                except NotFound:
                    continue
        return found

    def _batch(self, message_ids: list[str]) -> dict[int, tuple[int, dict[str, Any]]]:
        body, content_type = gmail_batch.message_requests(self._base, message_ids)
        try:
            answer = self._api.send(
                "POST", gmail_batch.batch_url(self._base), data=body, headers={"Content-Type": content_type}
            )
        except outbound_http.OutboundError as error:
            raise GmailError(_("Gmail could not be reached: %(error)s") % {"error": error}) from error
        if answer.status == 401:
            raise Unauthorized(_("Gmail refused the access token."))
        if not 200 <= answer.status < 300:
            return {}  # every call is asked again on its own, with its own error
        return gmail_batch.read_answers(answer.headers.get("content-type", ""), answer.body)

    def _message(self, message_id: str, data: dict[str, Any]) -> GmailMessage:
        try:
            raw = _b64url_decode(str(data.get("raw", "")))
        except ValueError as error:
            raise GmailError(_("Gmail's answer could not be read.")) from error
        return GmailMessage(
            id=str(data.get("id", message_id)),
            thread_id=str(data.get("threadId", "")),
            label_ids=[str(label) for label in data.get("labelIds") or []],
            raw=raw,
        )

    def thread_of(self, rfc822_message_id: str) -> str:
        """Gmail's thread id of the message with this Message-ID, or ""."""
        found = self._call("GET", "messages", {"q": f"rfc822msgid:{rfc822_message_id.strip('<>')}", "maxResults": 1})
        items = found.get("messages") or []
        return str(items[0].get("threadId", "")) if items else ""

    def send(self, raw: bytes, *, thread_id: str = "") -> GmailMessage:
        """Send ``raw`` (an RFC 5322 message) from the mailbox: Gmail keeps it in Sent, in
        ``thread_id``'s conversation when given."""
        body: dict[str, Any] = {"raw": b64url_encode(raw)}
        if thread_id:
            body["threadId"] = thread_id
        data = self._call("POST", "messages/send", body=body)
        return GmailMessage(
            id=str(data.get("id", "")),
            thread_id=str(data.get("threadId", "")),
            label_ids=[str(label) for label in data.get("labelIds") or []],
        )
