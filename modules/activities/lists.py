"""The activity list on the shared list framework: my open activities by due date, each marked
overdue or due today, with filters, saved views, columns and the bulk actions that suit a to-do
(assign, complete, move by days, delete), every one through the activity services."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from identity.models import User
from modules.activities.choices import ActivityKind, ActivityStatus, Priority
from modules.activities.forms import FilterForm
from modules.activities.models import Activity
from modules.activities.selectors import due_state, filter_activities, visible_activities
from modules.activities.services.activities import complete_activity, delete_activity, update_activity
from modules.contacts.choices import SavedViewEntity
from modules.lists.actions import OwnerField, owner_choices
from modules.lists.definition import BulkAction, Column, Filter, ListDefinition

RESCHEDULE_LIMIT = 365


def _apply_filters(queryset: QuerySet[Any], params: Mapping[str, str], user: User) -> QuerySet[Any]:
    # The view answers a 400 naming the field for a value the form refuses; no rows meanwhile.
    form = FilterForm(params, user=user)
    if not form.is_valid():
        return queryset.none()
    return filter_activities(queryset, form.cleaned_data, user)


def _assignee_options(user: User) -> list[tuple[str, Any]]:
    others = [(str(person.pk), person.display_name) for person in owner_choices(user) if person.pk != user.pk]
    return [("all", _("Everyone I can see")), *others]


def _assign(definition: ListDefinition, row: Activity, data: Mapping[str, Any], user: User) -> None:
    update_activity(row, by=user, assignee=data["assignee"])


def _complete(definition: ListDefinition, row: Activity, data: Mapping[str, Any], user: User) -> None:
    complete_activity(row, by=user)


def _reschedule(definition: ListDefinition, row: Activity, data: Mapping[str, Any], user: User) -> None:
    if row.status != ActivityStatus.OPEN:
        raise ValidationError({"status": [_("Only an open activity can be rescheduled.")]})
    if row.due_at is None:
        raise ValidationError({"due_at": [_("It has no due date to move.")]})
    update_activity(row, by=user, due_at=row.due_at + timedelta(days=data["reschedule_days"]))


def _not_zero(value: int) -> None:
    if value == 0:
        raise ValidationError(_("Move by at least one day."))


ASSIGN = BulkAction(
    key="assign",
    label=_("Assign to"),
    fields=lambda definition, user: {
        "assignee": OwnerField(
            user, label=_("Assigned to"), error_messages={"required": _("Choose who the activities go to.")}
        )
    },
    run=_assign,
)
COMPLETE = BulkAction(key="complete", label=_("Mark done"), run=_complete)
RESCHEDULE = BulkAction(
    key="reschedule",
    label=_("Move by days"),
    fields=lambda definition, user: {
        "reschedule_days": forms.IntegerField(
            label=_("Days (negative: earlier)"),
            min_value=-RESCHEDULE_LIMIT,
            max_value=RESCHEDULE_LIMIT,
            validators=[_not_zero],
            error_messages={"required": _("Say by how many days.")},
        )
    },
    run=_reschedule,
)

ACTIVITIES = ListDefinition(
    key=SavedViewEntity.ACTIVITY,
    title=_("Activities"),
    namespace="activities",
    prefix="activity",
    module_permission="activities",
    rows=visible_activities,
    apply_filters=_apply_filters,
    filters=(
        Filter("q", _("Subject contains")),
        Filter(
            "status",
            _("Status"),
            options=lambda user: [
                (ActivityStatus.DONE, _("Done")),
                (ActivityStatus.CANCELLED, _("Cancelled")),
                ("all", _("All")),
            ],
            any_label=_("Open"),
        ),
        Filter("kind", _("Type"), options=lambda user: ActivityKind.choices, any_label=_("All types")),
        Filter("assignee", _("Assigned to"), options=_assignee_options, any_label=_("Me")),
        Filter("due_from", _("Due from"), input_type="localdate"),
        Filter("due_to", _("Due to"), input_type="localdate"),
    ),
    hidden_filters=("company", "contact", "lead", "deal", "completed_from", "completed_to", "overdue", "assignees"),
    columns=(
        Column(
            "subject",
            _("Subject"),
            "activities/cells/subject.html",
            url=lambda row: reverse("activities:activity-detail", args=[row.pk]),
            sort="subject",
        ),
        Column("due_at", _("Due"), "activities/cells/due.html", value=due_state, sort="due", phone=True),
        Column("links", _("Linked to"), "activities/cells/links.html", value=lambda row: row),
        Column("assignee", _("Assigned to"), "lists/cells/user.html"),
        Column("kind", _("Type"), value="get_kind_display", sort="kind", default=False),
        Column("status", _("Status"), value="get_status_display", default=False),
        Column("priority", _("Priority"), value="get_priority_display", default=False),
        Column("outcome", _("Outcome"), value="get_outcome_display", default=False),
        Column("created_at", _("Created"), "lists/cells/date.html", sort="created", default=False),
    ),
    sorts={"due": "due_at", "subject": "subject", "kind": "kind", "created": "created_at"},
    default_sort="due",
    update=update_activity,
    delete=delete_activity,
    owner_field=None,
    edit_fields=(
        (
            "priority",
            _("Priority"),
            lambda user: forms.ChoiceField(choices=Priority.choices, label=_("Priority")),
        ),
    ),
    actions=(ASSIGN, COMPLETE, RESCHEDULE),
    toolbar="activities/list_toolbar.html",
    empty_text=_("Nothing open. Well done."),
)
