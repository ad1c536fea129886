"""One occurrence of a recurring meeting or call, changed or deleted on its own, and a series made
single again.

A changed occurrence is an override row (``series`` and the ``recurrence_id`` it replaces, RFC 5545
RECURRENCE-ID) holding the occurrence's own values and a copy of the series' attendees, as
calendars keep them, who are sent the changed occurrence (an iTIP REQUEST with its RECURRENCE-ID)
when the series is organised here; a deleted occurrence is an EXDATE of the series (and its override row, if it
had one, is gone). Both are changes of the series for calendar sync, which writes them as such.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from identity.models import User
from modules.activities.models import Activity, ActivityAttendee
from modules.activities.services import itip
from modules.activities.services.activities import create_activity, delete_activity, update_activity
from modules.activities.services.recurrence import exdate_text, instance_starts, is_recurring

# What an occurrence takes from its series when it gets a row of its own.
COPIED_FIELDS = (
    "kind", "subject", "body", "location", "priority", "all_day", "assignee", "company", "contact", "lead", "deal",
)  # fmt: skip
OCCURRENCE_FIELDS = ("subject", "body", "location", "due_at", "ends_at")


def instance_at(series: Activity, moment: datetime) -> datetime | None:
    """The original start of the series' instance that starts at ``moment`` (the same instant), or
    None when the series has no such instance (never had, or deleted)."""
    if not is_recurring(series):
        return None
    window = timedelta(seconds=1)
    starts = instance_starts(series, start=moment - window, end=moment + window)
    return next((start for start in starts if abs((start - moment).total_seconds()) < 1), None)


def override_of(series: Activity, original: datetime) -> Activity | None:
    return series.overrides.filter(recurrence_id=original).first()


def edit_occurrence(series: Activity, original: datetime, *, by: User | None, **values: Any) -> Activity:
    """Change one occurrence (``original``: its start within the series) with ``values`` of
    ``OCCURRENCE_FIELDS``; the occurrence's row, new or the one it already had, is returned."""
    unknown = set(values) - set(OCCURRENCE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed for one occurrence.")] for name in unknown})
    with transaction.atomic():
        series = Activity.objects.select_for_update().get(pk=series.pk)
        row = override_of(series, original)
        if row is not None:
            return update_activity(row, by=by, **values)
        length = (series.ends_at - series.due_at) if series.ends_at and series.due_at else None
        fields: dict[str, Any] = {name: getattr(series, name) for name in COPIED_FIELDS}
        fields.update(due_at=original, ends_at=original + length if length is not None else None)
        fields.update(values)
        if "due_at" in values and "ends_at" not in values and length is not None and values["due_at"] is not None:
            fields["ends_at"] = values["due_at"] + length  # moved: as long as the others
        row = create_activity(
            by=by, series=series, recurrence_id=original, ical_uid=series.ical_uid, status=series.status, **fields
        )
        ActivityAttendee.objects.bulk_create(
            ActivityAttendee(
                activity=row,
                email=person.email,
                name=person.name,
                role=person.role,
                attendance=person.attendance,
                is_organizer=person.is_organizer,
                contact_id=person.contact_id,
                user_id=person.user_id,
                responded_at=person.responded_at,
            )
            for person in series.attendees.all()
        )
        itip.invite_occurrence(row)  # as a change of an existing occurrence row does (``after_update``)
    return row


def delete_occurrence(series: Activity, original: datetime, *, by: User | None) -> None:
    """Take one occurrence out of the series (an EXDATE); its own row, if it had one, goes too."""
    with transaction.atomic():
        series = Activity.objects.select_for_update().get(pk=series.pk)
        row = override_of(series, original)
        if row is not None:
            delete_activity(row, by=by)
        excluded = exdate_text(series, original)
        if excluded not in (series.exdates or []):
            update_activity(series, by=by, exdates=sorted([*(series.exdates or []), excluded]))


def stop_repeating(series: Activity, *, by: User | None) -> None:
    """A series made a single meeting again (its first occurrence): the rule, extra and excluded
    dates and the changed occurrences are gone."""
    with transaction.atomic():
        for row in list(series.overrides.all()):
            delete_activity(row, by=by)
        update_activity(series, by=by, rrule="", rdates=[], exdates=[])
