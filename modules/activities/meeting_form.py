"""The meeting parts of the activity form: whom to invite (colleagues, contacts, any e-mail
address) and how the meeting repeats (RFC 5545 RRULE, written and read back by the editor).

The editor covers what calendar programs offer: daily, weekly (on chosen weekdays), monthly (on
the start's day of the month, or its n-th weekday), yearly, every n periods, ending never, after
a number of times or on a date. A stored rule the editor cannot show (read from another calendar,
e.g. with BYSETPOS) is offered as "keep the current rule" and kept unless the user picks another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.input_bounds import text_problem
from core.localized_dates import LocalizedDateField
from identity.models import User
from modules.activities.models import Activity
from modules.activities.services.attendees import Invitee, address_of, match_invitees
from modules.contacts.selectors.lists import visible_contacts

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_CHOICES = [
    ("MO", gettext_lazy("Mon")), ("TU", gettext_lazy("Tue")), ("WE", gettext_lazy("Wed")),
    ("TH", gettext_lazy("Thu")), ("FR", gettext_lazy("Fri")), ("SA", gettext_lazy("Sat")), ("SU", gettext_lazy("Sun")),
]  # fmt: skip
FREQUENCIES = ("daily", "weekly", "monthly", "yearly")
KEEP = "custom"
MAX_ATTENDEES = 200
MAX_INTERVAL = 99
MAX_COUNT = 999


@dataclass
class Chip:
    """A chosen attendee as the form shows it: the value posted back, a label and a detail."""

    value: str
    label: str
    detail: str = ""
    user_id: int | None = None


def add_meeting_fields(form: forms.Form, *, activity: Activity | None) -> None:
    """The attendee list and the recurrence editor (an occurrence of a series has neither)."""
    if activity is not None and activity.series_id is not None:
        return
    # Values are checked together in ``clean_attendees`` (one query per kind), not one by one.
    form.fields["attendees"] = forms.Field(label=_("Attendees"), required=False, widget=forms.MultipleHiddenInput)
    repeat_choices = [("", _("Does not repeat")), *((name, _label(name)) for name in FREQUENCIES)]
    if activity is not None and activity.rrule and editor_values(activity)["repeat"] == KEEP:
        repeat_choices.append((KEEP, _("Keep the current rule: %(rule)s") % {"rule": activity.rrule}))
    fields: dict[str, forms.Field] = {
        "repeat": forms.ChoiceField(label=_("Repeats"), choices=repeat_choices, required=False),
        "repeat_interval": forms.IntegerField(
            label=_("Every"), min_value=1, max_value=MAX_INTERVAL, required=False, initial=1
        ),
        "repeat_weekdays": forms.MultipleChoiceField(
            label=_("On these days"), choices=WEEKDAY_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
        ),
        "repeat_monthly": forms.ChoiceField(
            label=_("Monthly on"),
            choices=[("day", _("the same day of the month")), ("weekday", _("the same weekday of the month"))],
            required=False,
        ),
        "repeat_end": forms.ChoiceField(
            label=_("Repeat ends"),
            choices=[("never", _("Never")), ("count", _("After a number of times")), ("until", _("On a date"))],
            required=False,
        ),
        "repeat_count": forms.IntegerField(label=_("Times"), min_value=1, max_value=MAX_COUNT, required=False),
        "repeat_until": LocalizedDateField(label=_("Last date"), required=False),
    }
    for field in fields.values():  # the form's own fields got their classes before these were added
        if isinstance(field.widget, forms.Select):
            field.widget.attrs["class"] = "form-select form-select-sm"
        elif not isinstance(field.widget, forms.CheckboxSelectMultiple):
            field.widget.attrs["class"] = "form-control form-control-sm"
    form.fields.update(fields)


def _label(frequency: str) -> str:
    return {"daily": _("Daily"), "weekly": _("Weekly"), "monthly": _("Monthly"), "yearly": _("Yearly")}[frequency]


# Attendees


def clean_attendees(values: list[str], *, user: User) -> list[Invitee]:
    """``user:<id>`` (an active colleague), ``contact:<id>`` (a contact the user may see, with an
    address) or an e-mail address, each once; ValidationError names the first that is not."""
    if len(values) > MAX_ATTENDEES:
        raise ValidationError(_("Invite at most %(count)d people.") % {"count": MAX_ATTENDEES})
    user_ids, contact_ids, addresses = _split(values)
    users = {person.pk: person for person in User.objects.filter(pk__in=user_ids, is_active=True)}
    contacts = {contact.pk: contact for contact in visible_contacts(user).filter(pk__in=contact_ids)}
    found: dict[str, Invitee] = {}
    for value in values:
        kind, _sep, key = value.partition(":")
        if kind == "user" and key.isdigit():
            person = users.get(int(key))
            if person is None:
                raise ValidationError(_("A chosen colleague is not a user of this workspace."))
            found.setdefault(person.email.lower(), Invitee(person.email.lower(), person.display_name, user=person))
        elif kind == "contact" and key.isdigit():
            contact = contacts.get(int(key))
            if contact is None:
                raise ValidationError(_("A chosen contact does not exist or is not visible to you."))
            address = address_of(contact.email or "")
            if address is None:
                raise ValidationError(_("%(name)s has no e-mail address to invite.") % {"name": contact})
            found.setdefault(address, Invitee(address, str(contact)[:255], contact=contact))
    free = []
    for value in addresses:
        address = address_of(value) if not text_problem(value) else None
        if address is None:
            raise ValidationError(_("“%(value)s” is not a valid e-mail address.") % {"value": value[:100]})
        if address not in found:
            found[address] = Invitee(address)
            free.append(found[address])
    match_invitees(free, by=user)  # a typed address of a known contact or colleague is linked to them
    return list(found.values())


def _split(values: list[str]) -> tuple[list[int], list[int], list[str]]:
    user_ids, contact_ids, addresses = [], [], []
    for value in values:
        kind, _sep, key = value.partition(":")
        if kind == "user" and key.isdigit() and len(key) < 19:
            user_ids.append(int(key))
        elif kind == "contact" and key.isdigit() and len(key) < 19:
            contact_ids.append(int(key))
        else:
            addresses.append(value.strip())
    return user_ids, contact_ids, addresses


def chips(values: list[str], *, user: User) -> list[Chip]:
    """The chosen attendees as the form shows them again (unknown values shown as typed)."""
    user_ids, contact_ids, _addresses = _split(values)
    users = {person.pk: person for person in User.objects.filter(pk__in=user_ids, is_active=True)}
    contacts = {contact.pk: contact for contact in visible_contacts(user).filter(pk__in=contact_ids)}
    shown = []
    for value in values:
        kind, _sep, key = value.partition(":")
        if kind == "user" and key.isdigit() and int(key) in users:
            person = users[int(key)]
            shown.append(Chip(value, person.display_name, person.email, user_id=person.pk))
        elif kind == "contact" and key.isdigit() and int(key) in contacts:
            contact = contacts[int(key)]
            shown.append(Chip(value, str(contact), contact.email or ""))
        else:
            shown.append(Chip(value, value))
    return shown


def attendee_chips(activity: Activity) -> list[Chip]:
    """A meeting's invited people (not its organiser) as the edit form starts with them."""
    return [
        Chip(row.email, row.name or row.email, row.email, user_id=row.user_id)
        for row in activity.attendees.all()
        if not row.is_organizer
    ]


# Recurrence


def _zone_of(activity: Activity | None) -> tzinfo:
    from modules.activities.services.recurrence import zone_of_series

    return zone_of_series(activity) if activity is not None else timezone.get_current_timezone()


def _nth_weekday(start: datetime) -> str:
    """``+2TU`` for the second Tuesday of its month; ``-1TU`` for a fifth (the last)."""
    nth = (start.day - 1) // 7 + 1
    return f"{nth if nth < 5 else -1}{WEEKDAYS[start.weekday()]}"


def build_rule(data: dict[str, Any], *, start: datetime | None, zone: tzinfo) -> str:
    """The RRULE of the editor's values (``repeat`` set); ValidationError keyed by field."""
    frequency = data.get("repeat") or ""
    if start is None:
        raise ValidationError({"repeat": [_("A repeating activity needs a start.")]})
    local = start.astimezone(zone)
    parts = [f"FREQ={frequency.upper()}"]
    interval = data.get("repeat_interval") or 1
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    if frequency == "weekly":
        days = [day for day in WEEKDAYS if day in (data.get("repeat_weekdays") or [])]
        if days and WEEKDAYS[local.weekday()] not in days:
            raise ValidationError({"repeat_weekdays": [_("Include the weekday of the first occurrence.")]})
        if days and days != [WEEKDAYS[local.weekday()]]:
            parts.append(f"BYDAY={','.join(days)}")
    elif frequency == "monthly" and data.get("repeat_monthly") == "weekday":
        parts.append(f"BYDAY={_nth_weekday(local)}")
    end = data.get("repeat_end") or "never"
    if end == "count":
        if not data.get("repeat_count"):
            raise ValidationError({"repeat_count": [_("Say how many times it happens.")]})
        parts.append(f"COUNT={data['repeat_count']}")
    elif end == "until":
        last: date | None = data.get("repeat_until")
        if last is None:
            raise ValidationError({"repeat_until": [_("Give the last date.")]})
        if last < local.date():
            raise ValidationError({"repeat_until": [_("The last date must not be before the first occurrence.")]})
        until = datetime.combine(last, time(23, 59, 59), tzinfo=zone).astimezone(UTC)
        parts.append(f"UNTIL={until:%Y%m%dT%H%M%SZ}")
    return ";".join(parts)


def editor_values(activity: Activity) -> dict[str, Any]:
    """The editor's values for a stored rule; ``repeat`` is ``custom`` when it cannot show it."""
    if not activity.rrule:
        return {"repeat": "", "repeat_interval": 1, "repeat_end": "never"}
    keep = {"repeat": KEEP, "repeat_interval": 1, "repeat_end": "never"}
    parts = dict(part.split("=", 1) for part in activity.rrule.removeprefix("RRULE:").upper().split(";") if "=" in part)
    frequency = parts.pop("FREQ", "").lower()
    parts.pop("WKST", None)
    if frequency not in FREQUENCIES or activity.due_at is None:
        return keep
    local = activity.due_at.astimezone(_zone_of(activity))
    values: dict[str, Any] = {"repeat": frequency, "repeat_end": "never", "repeat_monthly": "day"}
    interval = parts.pop("INTERVAL", "1")
    if not interval.isdigit() or not 1 <= int(interval) <= MAX_INTERVAL:
        return keep
    values["repeat_interval"] = int(interval)
    by_day = [day for day in parts.pop("BYDAY", "").split(",") if day]
    if frequency == "weekly" and all(day in WEEKDAYS for day in by_day):
        values["repeat_weekdays"] = by_day or [WEEKDAYS[local.weekday()]]
    elif frequency == "monthly" and len(by_day) == 1 and by_day[0].lstrip("+") == _nth_weekday(local):
        values["repeat_monthly"] = "weekday"
    elif by_day:
        return keep
    if parts.pop("BYMONTHDAY", str(local.day)) != str(local.day) or parts.pop("BYMONTH", str(local.month)) != str(
        local.month
    ):
        return keep
    count, until = parts.pop("COUNT", ""), parts.pop("UNTIL", "")
    if parts or (count and not count.isdigit()):
        return keep
    if count:
        values.update(repeat_end="count", repeat_count=int(count))
    elif until:
        last = _until_date(until, _zone_of(activity))
        if last is None:
            return keep
        values.update(repeat_end="until", repeat_until=last)
    return values


def _until_date(text: str, zone: tzinfo) -> date | None:
    try:
        if text.endswith("Z"):
            return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).astimezone(zone).date()
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def series_zone_name() -> str:
    """The zone a new series runs in: the author's, so its wall-clock time survives DST."""
    return str(getattr(timezone.get_current_timezone(), "key", "") or "")
