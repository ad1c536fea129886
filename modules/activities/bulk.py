"""The "create an activity for each selected record" bulk action, offered on every list whose
record type activities can link to (companies, contacts, leads, deals)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from identity.models import User
from modules.activities.choices import ActivityKind
from modules.activities.services.activities import create_activity
from modules.lists.definition import BulkAction, ListDefinition


def _fields(definition: ListDefinition, user: User) -> dict[str, forms.Field]:
    return {
        "activity_kind": forms.ChoiceField(
            choices=[(value, label) for value, label in ActivityKind.choices if value != ActivityKind.NOTE],
            label=_("Activity type"),
        ),
        "activity_subject": forms.CharField(
            max_length=200,
            label=_("Subject"),
            error_messages={"required": _("Give the activities a subject.")},
            widget=forms.TextInput(attrs={"placeholder": _("Subject")}),
        ),
        "activity_due": forms.DateTimeField(
            required=False, label=_("Due"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
        ),
    }


def _create(definition: ListDefinition, row: Any, data: Mapping[str, Any], user: User) -> None:
    assert definition.activity_link is not None  # noqa: S101 - applies_to checked it
    create_activity(
        by=user,
        kind=data["activity_kind"],
        subject=data["activity_subject"],
        due_at=data.get("activity_due"),
        **{definition.activity_link: row},
    )


CREATE_ACTIVITY = BulkAction(
    key="create_activity",
    label=_("Create an activity for each"),
    fields=_fields,
    run=_create,
    permission="activities.change",
    applies_to=lambda definition: definition.activity_link is not None,
)
