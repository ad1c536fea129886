"""Activities: tasks, calls, meetings, e-mails and notes (always on)."""

from __future__ import annotations

from api.entities.base import (
    ID,
    TIMESTAMPS,
    UPDATED_AFTER,
    EntityDescription,
    Field,
    Filter,
    FilterKind,
    by_id,
    choice,
    orderings,
    relation,
    search,
    writable,
    writable_fields,
)
from customization.fields.choices import Entity
from modules.activities.choices import ActivityKind, ActivityStatus
from modules.activities.models import Activity
from modules.activities.services.activities import create_activity, delete_activity, update_activity

ACTIVITY = EntityDescription(
    name="activity",
    resource="activities",
    model=Activity,
    module="activities",
    custom_entity=Entity.ACTIVITY,
    graphql_type="Activity",
    owner_field="assignee",
    fields=(
        ID,
        *writable_fields("kind", "subject", "body"),
        writable("status", "Open, done or cancelled; creating one as done logs what already happened."),
        *writable_fields("priority", "direction"),
        writable("due_at", "When it is due; for meetings, the start."),
        writable("ends_at", "For meetings, the end."),
        *writable_fields("all_day", "location", "outcome", "outcome_note", "remind_at"),
        relation("assignee", "Who does it; the signed-in user when creating without one."),
        relation("company"),
        relation("contact"),
        relation("lead", "Null while the sales module is not enabled."),
        relation("deal", "Null while the sales module is not enabled."),
        Field("origin", description="The activity whose completion planned this one.", select=("origin",)),
        Field("completed_at"),
        Field("completed_by", select=("completed_by",)),
        *TIMESTAMPS,
    ),
    filters=(
        by_id("assignee", "User", "Activities of this user (a User id)."),
        choice("kind", ActivityKind),
        choice("status", ActivityStatus),
        by_id("company", "Company", "A Company id."),
        by_id("contact", "Contact", "A Contact id."),
        by_id("lead", "Lead", "A Lead id."),
        by_id("deal", "Deal", "A Deal id."),
        Filter("due_after", FilterKind.DATETIME, field="due_at", lookup="gte", description="Due at or after."),
        Filter("due_before", FilterKind.DATETIME, field="due_at", lookup="lt", description="Due before."),
        search("subject", "Words of the subject or details."),
        UPDATED_AFTER,
    ),
    orderings=orderings("due_at", "created_at", "updated_at"),
    create=create_activity,
    update=update_activity,
    delete=delete_activity,
)
