"""Saving the activity form of a meeting: the activity, its attendees and its recurrence in one
transaction, so a refused part leaves nothing half-written."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from identity.models import User
from modules.activities.models import Activity
from modules.activities.services.activities import create_activity, update_activity
from modules.activities.services.attendees import Invitee
from modules.activities.services.invitations import set_invited
from modules.activities.services.series import stop_repeating


def save_activity(
    activity: Activity | None,
    *,
    by: User,
    values: dict[str, Any],
    invitees: list[Invitee] | None,
    stop_series: bool = False,
) -> Activity:
    """Plan (``activity`` None) or change an activity; ``invitees`` (None: leave the attendees as
    they are) become the meeting's invited people once its new values are saved, so the
    invitations carry them; ``stop_series`` makes a series a single meeting first."""
    with transaction.atomic():
        if activity is None:
            activity = create_activity(by=by, **values)
        else:
            if invitees is not None:  # those taken off hear of the cancellation, not of the change
                set_invited(activity, invitees, by=by, add=False)
            if stop_series:
                stop_repeating(activity, by=by)
            update_activity(activity, by=by, **values)
        if invitees is not None:
            set_invited(activity, invitees, by=by)
    return activity
