"""A small CalDAV client (RFC 4791 over WebDAV, RFC 4918): what two-way sync of one calendar
collection needs, and nothing more.

Requests go through ``customization.outbound_http``: the host must resolve to public addresses
(a user cannot point the workers at the platform's own network), the connection goes to the
checked address and redirects are not followed. Answers are parsed with ``defusedxml`` (the
server is whatever the user typed in). Errors say what a user can act on: ``AccessRefused`` and
``NotACalendar`` stop the sync until the user connects again; ``Unavailable`` is retried later.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote, unquote, urljoin, urlsplit
from xml.etree.ElementTree import Element  # only the type: parsing is defusedxml's

from defusedxml import ElementTree
from django.utils.translation import gettext as _

from customization import outbound_http

DAV = "{DAV:}"
CALDAV = "{urn:ietf:params:xml:ns:caldav}"
CALENDARSERVER = "{http://calendarserver.org/ns/}"
TIMEOUT = 30
MAX_ANSWER = 20 * 1024 * 1024
MULTIGET_BATCH = 50


class CalDAVError(Exception):
    """The calendar could not be used; ``str(error)`` is fit to show to its user."""


class AccessRefused(CalDAVError):
    """The server refused the user name and password (401/403): only the user can mend it."""


class NotACalendar(CalDAVError):
    """The URL is not a calendar collection (gone, or never was one)."""


class Unavailable(CalDAVError):
    """No answer, or a server error: worth trying again later."""


class PreconditionFailed(CalDAVError):
    """The resource changed on the server since it was read (412): read it again first."""


@dataclass(frozen=True)
class Resource:
    href: str
    etag: str
    data: str = ""


def _propfind_body(*props: str) -> bytes:
    inner = "".join(props)
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/" '
        f'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop>{inner}</d:prop></d:propfind>'
    ).encode()


def _multiget_body(hrefs: Iterable[str]) -> bytes:
    listed = "".join(f"<d:href>{quote(href, safe='/:@!$&()*+,;=-._~%')}</d:href>" for href in hrefs)
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
        f"<d:prop><d:getetag/><c:calendar-data/></d:prop>{listed}</c:calendar-multiget>"
    ).encode()


def _responses(body: str) -> Iterator[tuple[str, Element]]:
    """(href, prop element of the 200 propstat) for each response of a 207 Multi-Status."""
    try:
        root = ElementTree.fromstring(body.encode())
    except Exception as error:  # defusedxml raises its own and ElementTree's errors
        raise Unavailable(_("The calendar server's answer could not be read.")) from error
    for response in root.iter(f"{DAV}response"):
        href = unquote((response.findtext(f"{DAV}href") or "").strip())
        for propstat in response.findall(f"{DAV}propstat"):
            status = propstat.findtext(f"{DAV}status") or ""
            prop = propstat.find(f"{DAV}prop")
            if " 200 " in f"{status} " and prop is not None:
                yield href, prop


def _path(href: str) -> str:
    """The path part of an href (servers answer with paths or with full URLs)."""
    return unquote(urlsplit(href).path)


class CalDAVClient:
    """One calendar collection at ``url`` (its path ends with a slash), read and written as ``username``."""

    def __init__(self, url: str, username: str, password: str) -> None:
        self.url = url if url.endswith("/") else f"{url}/"
        self.path = _path(self.url)
        credentials = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self.auth = f"Basic {credentials}"

    def _request(
        self, method: str, url: str, *, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> outbound_http.Response:
        sent_headers = {"Authorization": self.auth, "User-Agent": "Relata calendar sync", **(headers or {})}
        if body:
            sent_headers.setdefault("Content-Type", 'application/xml; charset="utf-8"')
        try:
            response = outbound_http.send(
                method, url, body=body, headers=sent_headers, timeout=TIMEOUT, max_body=MAX_ANSWER
            )
        except (outbound_http.InvalidURL, outbound_http.AddressRefused) as error:
            raise NotACalendar(str(error)) from error
        except outbound_http.OutboundError as error:
            raise Unavailable(str(error)) from error
        if response.status in (401, 403):
            raise AccessRefused(_("The calendar server refused the user name and password."))
        if response.status >= 500:
            raise Unavailable(
                _("The calendar server answered with an error (%(status)d).") % {"status": response.status}
            )
        return response

    def _resource_url(self, href: str) -> str:
        return urljoin(self.url, quote(href, safe="/:@!$&()*+,;=-._~%"))

    def collection_tag(self) -> str:
        """The collection's change tag (getctag, else sync-token, else ETag); raises
        ``NotACalendar`` when the URL is not a calendar collection."""
        response = self._request(
            "PROPFIND",
            self.url,
            body=_propfind_body("<d:resourcetype/>", "<cs:getctag/>", "<d:sync-token/>", "<d:getetag/>"),
            headers={"Depth": "0"},
        )
        if response.status != 207:
            raise NotACalendar(
                _("No calendar was found at this URL (the server answered %(status)d).") % {"status": response.status}
            )
        is_calendar, tag = False, ""
        for _href, prop in _responses(response.body):
            kinds = prop.find(f"{DAV}resourcetype")
            if kinds is not None and kinds.find(f"{CALDAV}calendar") is not None:
                is_calendar = True
            for name in (f"{CALENDARSERVER}getctag", f"{DAV}sync-token", f"{DAV}getetag"):
                value = (prop.findtext(name) or "").strip()
                if value and not tag:
                    tag = value
        if not is_calendar:
            raise NotACalendar(_("This URL is not a calendar collection."))
        return tag

    def list_etags(self) -> dict[str, str]:
        """Every event resource of the collection: path → ETag."""
        response = self._request(
            "PROPFIND",
            self.url,
            body=_propfind_body("<d:resourcetype/>", "<d:getetag/>"),
            headers={"Depth": "1"},
        )
        if response.status != 207:
            raise NotACalendar(
                _("No calendar was found at this URL (the server answered %(status)d).") % {"status": response.status}
            )
        listed: dict[str, str] = {}
        for href, prop in _responses(response.body):
            path = _path(href)
            kinds = prop.find(f"{DAV}resourcetype")
            if path.rstrip("/") == self.path.rstrip("/") or (kinds is not None and len(kinds)):
                continue  # the collection itself, or a sub-collection
            listed[path] = (prop.findtext(f"{DAV}getetag") or "").strip()
        return listed

    def fetch(self, hrefs: list[str]) -> list[Resource]:
        """The resources at ``hrefs`` with their data (calendar-multiget, in batches)."""
        found: list[Resource] = []
        for start in range(0, len(hrefs), MULTIGET_BATCH):
            batch = hrefs[start : start + MULTIGET_BATCH]
            response = self._request("REPORT", self.url, body=_multiget_body(batch), headers={"Depth": "1"})
            if response.status != 207:
                raise Unavailable(
                    _("The calendar server could not list events (%(status)d).") % {"status": response.status}
                )
            for href, prop in _responses(response.body):
                data = prop.findtext(f"{CALDAV}calendar-data") or ""
                if data:
                    found.append(Resource(_path(href), (prop.findtext(f"{DAV}getetag") or "").strip(), data))
        return found

    def href_for(self, uid: str) -> str:
        """Where a new event of this UID is written: a name derived from the UID alone, so a run
        that dies after writing it finds the same resource again."""
        safe = "".join(char if char.isalnum() or char in "-_.@" else "_" for char in uid)[:200]
        return f"{self.path}{safe}.ics"

    def put(self, href: str, data: str, *, etag: str | None) -> str:
        """Write the resource; ``etag=None`` creates it (refused when it exists). Returns its new ETag
        ("" when the server does not say); raises ``PreconditionFailed`` on a changed or existing one."""
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        if etag is None:
            headers["If-None-Match"] = "*"
        elif etag:
            headers["If-Match"] = etag
        response = self._request("PUT", self._resource_url(href), body=data.encode(), headers=headers)
        if response.status == 412:
            raise PreconditionFailed(_("The event changed in the calendar meanwhile."))
        if response.status not in (200, 201, 204):
            raise Unavailable(
                _("The calendar server did not store the event (%(status)d).") % {"status": response.status}
            )
        return response.headers.get("etag", "")

    def delete(self, href: str) -> None:
        """Delete the resource (already gone is fine)."""
        response = self._request("DELETE", self._resource_url(href))
        if response.status not in (200, 204, 404, 410):
            raise Unavailable(
                _("The calendar server did not delete the event (%(status)d).") % {"status": response.status}
            )
