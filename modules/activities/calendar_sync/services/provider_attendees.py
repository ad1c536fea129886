"""A meeting's attendees in Microsoft Graph and Google Calendar events, both ways.

Read: the event's organiser and attendees become ``Invitee`` values (matched to contacts and users
and saved by the sync, as the CalDAV reader's are); an event listing no attendee gives None, which
leaves the meeting's attendees as they are. Written: the meeting's attendees other than its
organiser (the calendar's owner is the organiser there), with their role, and for Google their
answer too (Graph sets answers only from the attendees' own replies).

Graph: ``attendees`` of ``{emailAddress: {address, name}, type: required|optional|resource,
status: {response}}`` and ``organizer.emailAddress``. Google: ``attendees`` of ``{email,
displayName, optional, resource, organizer, responseStatus}`` and ``organizer.email``.
"""

from __future__ import annotations

from typing import Any

from core.input_bounds import without_control_characters
from modules.activities.choices import Attendance, AttendeeRole
from modules.activities.models import Activity
from modules.activities.services.attendees import Invitee, address_of

MAX_ATTENDEES = 500  # as many as the CalDAV reader keeps

GRAPH_ANSWERS = {
    "none": Attendance.NEEDS_ACTION,
    "notResponded": Attendance.NEEDS_ACTION,
    "organizer": Attendance.ACCEPTED,
    "accepted": Attendance.ACCEPTED,
    "tentativelyAccepted": Attendance.TENTATIVE,
    "declined": Attendance.DECLINED,
}
GRAPH_TYPES = {
    "required": AttendeeRole.REQUIRED,
    "optional": AttendeeRole.OPTIONAL,
    "resource": AttendeeRole.NON_PARTICIPANT,
}
GRAPH_TYPE_OF = {str(role): kind for kind, role in GRAPH_TYPES.items()}
GOOGLE_ANSWERS = {
    "needsAction": Attendance.NEEDS_ACTION,
    "accepted": Attendance.ACCEPTED,
    "tentative": Attendance.TENTATIVE,
    "declined": Attendance.DECLINED,
}
GOOGLE_ANSWER_OF = {str(answer): name for name, answer in GOOGLE_ANSWERS.items()}


def _name(value: Any) -> str:
    return without_control_characters(str(value or "")).strip()[:255]


def _entries(value: Any) -> list[dict[str, Any]]:
    return [entry for entry in value[:MAX_ATTENDEES] if isinstance(entry, dict)] if isinstance(value, list) else []


def _organiser(found: dict[str, Invitee], email: str | None, name: Any) -> None:
    if email:
        found[email] = Invitee(email, _name(name), AttendeeRole.CHAIR, Attendance.ACCEPTED, True)


def graph_invitees(item: dict[str, Any]) -> list[Invitee] | None:
    attendees = _entries(item.get("attendees"))
    if not attendees:
        return None
    found: dict[str, Invitee] = {}
    organizer = (item.get("organizer") or {}).get("emailAddress") or {}
    if isinstance(organizer, dict):
        _organiser(found, address_of(organizer.get("address") or ""), organizer.get("name"))
    for entry in attendees:
        address = entry.get("emailAddress") if isinstance(entry.get("emailAddress"), dict) else {}
        email = address_of((address or {}).get("address") or "")
        if email is None:
            continue
        invitee = found.get(email) or Invitee(email, _name((address or {}).get("name")))
        if not invitee.is_organizer:
            invitee.role = GRAPH_TYPES.get(str(entry.get("type", "")), invitee.role)
            status = entry.get("status") if isinstance(entry.get("status"), dict) else {}
            invitee.attendance = GRAPH_ANSWERS.get(str((status or {}).get("response", "")), invitee.attendance)
        found[email] = invitee
    return list(found.values())


def graph_attendees(activity: Activity) -> list[dict[str, Any]]:
    return [
        {
            "emailAddress": {"address": row.email, "name": row.name or row.email},
            "type": GRAPH_TYPE_OF.get(row.role, "required"),
        }
        for row in activity.attendees.all()
        if not row.is_organizer
    ]


def google_invitees(item: dict[str, Any]) -> list[Invitee] | None:
    attendees = _entries(item.get("attendees"))
    if not attendees:
        return None
    found: dict[str, Invitee] = {}
    organizer = item.get("organizer") if isinstance(item.get("organizer"), dict) else {}
    _organiser(found, address_of((organizer or {}).get("email") or ""), (organizer or {}).get("displayName"))
    for entry in attendees:
        email = address_of(entry.get("email") or "")
        if email is None:
            continue
        if entry.get("organizer") is True and email not in found:
            _organiser(found, email, entry.get("displayName"))
        invitee = found.get(email) or Invitee(email, _name(entry.get("displayName")))
        if not invitee.is_organizer:
            if entry.get("resource") is True:
                invitee.role = AttendeeRole.NON_PARTICIPANT
            elif entry.get("optional") is True:
                invitee.role = AttendeeRole.OPTIONAL
            invitee.attendance = GOOGLE_ANSWERS.get(str(entry.get("responseStatus", "")), invitee.attendance)
        found[email] = invitee
    return list(found.values())


def google_attendees(activity: Activity) -> list[dict[str, Any]]:
    return [
        {
            "email": row.email,
            **({"displayName": row.name} if row.name else {}),
            "optional": row.role == AttendeeRole.OPTIONAL,
            "responseStatus": GOOGLE_ANSWER_OF.get(row.attendance, "needsAction"),
        }
        for row in activity.attendees.all()
        if not row.is_organizer
    ]
