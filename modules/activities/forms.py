"""Forms of the activity pages. They check the input's shape; the services own the rules."""

from __future__ import annotations

from datetime import timedelta, tzinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.input_bounds import bounded_input
from core.localized_dates import LocalizedDateField
from customization.fields.form_fields import CustomFieldsMixin
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.activities import meeting_form
from modules.activities.choices import ActivityKind, ActivityStatus, Outcome, Priority
from modules.activities.models import Activity
from modules.activities.selectors import assignable_users
from modules.activities.services.attendees import Invitee
from modules.activities.services.recurrence import zone_of_series
from modules.contacts.models import Company, Contact
from modules.lists.actions import owner_choices
from modules.sales.models import Deal, Lead

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# Taken apart from the activity's own values by ``ActivityForm.service_values``.
MEETING_FIELDS = frozenset(
    {"attendees", "repeat", "repeat_interval", "repeat_weekdays", "repeat_monthly", "repeat_end", "repeat_count",
     "repeat_until"}
)  # fmt: skip
# Minutes before the start at which a reminder fires.
REMINDER_OFFSETS = (0, 15, 60, 1440)


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


def _offset_label(minutes: int) -> str:
    if minutes == 0:
        return str(_("At the start"))
    if minutes % 1440 == 0:
        days = minutes // 1440
        return ngettext("%(count)d day before", "%(count)d days before", days) % {"count": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)d hour before", "%(count)d hours before", hours) % {"count": hours}
    return ngettext("%(count)d minute before", "%(count)d minutes before", minutes) % {"count": minutes}


class BootstrapForm(forms.Form):
    """Bootstrap classes on every widget, and ``is-invalid`` on the fields that carry an error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            elif isinstance(widget, forms.HiddenInput):
                continue
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        names = [field] if field else list(getattr(error, "error_dict", {}) or [])
        for name in names:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                    widget.attrs["aria-invalid"] = "true"


class ActivityForm(CustomFieldsMixin, BootstrapForm):
    """Plan or edit an activity. Linked records arrive as ids (prefilled from the page that links here)."""

    kind = forms.ChoiceField(label=_("Type"), choices=ActivityKind.choices, initial=ActivityKind.TASK)
    subject = forms.CharField(label=_("Subject"), max_length=255)
    body = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    due_at = forms.DateTimeField(label=_("Due / starts"), required=False, widget=_datetime_input())
    ends_at = forms.DateTimeField(label=_("Ends"), required=False, widget=_datetime_input())
    all_day = forms.BooleanField(label=_("All day"), required=False)
    location = forms.CharField(label=_("Location"), max_length=255, required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    assignee = forms.ModelChoiceField(label=_("Assigned to"), queryset=User.objects.none(), empty_label=None)
    reminder = forms.TypedChoiceField(label=_("Reminder"), required=False, coerce=int, empty_value=None)
    company = forms.ModelChoiceField(queryset=Company.objects.none(), required=False, widget=forms.HiddenInput)
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False, widget=forms.HiddenInput)
    lead = forms.ModelChoiceField(queryset=Lead.objects.none(), required=False, widget=forms.HiddenInput)
    deal = forms.ModelChoiceField(queryset=Deal.objects.none(), required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        user: User,
        sales_enabled: bool,
        extra_offset: int | None = None,
        current_assignee_id: int | None = None,
        activity: Activity | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.activity = user, activity
        meeting_form.add_meeting_fields(self, activity=activity)
        self.invitees: list[Invitee] | None = None  # the meeting's attendees once valid (None: not a meeting)
        self.rule: str | None = None  # the new RRULE ("": repeats no more; None: unchanged)
        assignees = assignable_users(user)
        if current_assignee_id is not None:  # editing keeps the assignee even if out of the user's sight
            assignees = assignees | User.objects.filter(pk=current_assignee_id)
        self.fields["assignee"].queryset = assignees.distinct()  # type: ignore[attr-defined]
        self.fields["company"].queryset = restrict_to_visible(Company.objects.all(), user)  # type: ignore[attr-defined]
        self.fields["contact"].queryset = restrict_to_visible(Contact.objects.all(), user)  # type: ignore[attr-defined]
        if sales_enabled:
            self.fields["lead"].queryset = restrict_to_visible(Lead.objects.all(), user)  # type: ignore[attr-defined]
            self.fields["deal"].queryset = restrict_to_visible(Deal.objects.all(), user)  # type: ignore[attr-defined]
        else:
            del self.fields["lead"], self.fields["deal"]
        offsets = sorted({*REMINDER_OFFSETS, *([extra_offset] if extra_offset is not None else [])})
        self.fields["reminder"].choices = [  # type: ignore[attr-defined]
            ("", _("No reminder")),
            *((minutes, _offset_label(minutes)) for minutes in offsets),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reminder") is not None and not data.get("due_at"):
            self.add_error("reminder", _("A reminder needs a due date."))
        # Only a form that showed the picker (and the editor) changes attendees (and the rule): a
        # post without them leaves both as they are instead of emptying them.
        picker_shown = "attendee_picker" in self.data
        if "attendees" in self.fields and data.get("kind") == ActivityKind.MEETING and picker_shown:
            try:
                self.invitees = meeting_form.clean_attendees(list(data.get("attendees") or []), user=self.user)
            except ValidationError as error:
                self.add_error("attendees", error)
        if "repeat" in self.fields and "repeat" in self.data:
            self._clean_repeat(data)
        return data

    def _clean_repeat(self, data: dict[str, Any]) -> None:
        repeat = data.get("repeat") or ""
        if repeat == meeting_form.KEEP:
            return
        if not repeat:
            self.rule = "" if self.activity is not None and self.activity.rrule else None
            return
        if data.get("kind") not in (ActivityKind.MEETING, ActivityKind.CALL):
            self.add_error("repeat", _("Only meetings and calls repeat."))
            return
        try:
            rule = meeting_form.build_rule(data, start=data.get("due_at"), zone=self._series_zone())
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                self.add_error(field, problems)
            return
        if self.activity is None or rule != self.activity.rrule:
            self.rule = rule

    def _series_zone(self) -> tzinfo:
        if self.activity is not None and self.activity.time_zone:
            return zone_of_series(self.activity)
        return timezone.get_current_timezone()

    def service_values(self) -> dict[str, Any]:
        """The cleaned data as the activity service takes it (attendees and the rule apart)."""
        data = {name: value for name, value in self.cleaned_data.items() if name not in MEETING_FIELDS}
        offset = data.pop("reminder", None)
        data["remind_at"] = data["due_at"] - timedelta(minutes=offset) if offset is not None else None
        if self.rule:
            data["rrule"] = self.rule
            if self.activity is None or not self.activity.time_zone:
                data["time_zone"] = meeting_form.series_zone_name()
        return data

    def attendee_chips(self) -> list[meeting_form.Chip]:
        """The attendees the form shows: as posted, else the meeting's, else the initial ones."""
        if "attendees" not in self.fields:
            return []
        if self.is_bound:
            return meeting_form.chips(list(self.data.getlist("attendees")), user=self.user)  # type: ignore[attr-defined]
        if self.activity is not None:
            return meeting_form.attendee_chips(self.activity)
        return meeting_form.chips(list(self.initial.get("attendees") or []), user=self.user)

    @staticmethod
    def initial_for(activity: Activity) -> tuple[dict[str, Any], int | None]:
        """Initial values of an existing activity and its reminder offset in minutes."""
        offset = None
        if activity.remind_at and activity.due_at:
            offset = max(int((activity.due_at - activity.remind_at).total_seconds() // 60), 0)
        initial = {
            name: getattr(activity, name)
            for name in ("kind", "subject", "body", "due_at", "ends_at", "all_day", "location", "priority")
        }
        initial.update(
            assignee=activity.assignee_id,
            reminder=offset,
            company=activity.company_id,
            contact=activity.contact_id,
            lead=activity.lead_id,
            deal=activity.deal_id,
        )
        if activity.series_id is None:
            initial.update(meeting_form.editor_values(activity))
            initial["attendees"] = [row.email for row in activity.attendees.all() if not row.is_organizer]
        return initial, offset


class CompleteForm(BootstrapForm):
    """Mark an activity done, optionally planning what comes next."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *Outcome.choices], required=False)
    outcome_note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up = forms.BooleanField(label=_("Plan a follow-up"), required=False)
    follow_up_kind = forms.ChoiceField(
        label=_("Follow-up type"),
        choices=[(value, label) for value, label in ActivityKind.choices if value != ActivityKind.NOTE],
        initial=ActivityKind.CALL,
    )
    follow_up_subject = forms.CharField(label=_("Follow-up subject"), max_length=255, required=False)
    follow_up_due = forms.DateTimeField(label=_("Follow-up due"), required=False, widget=_datetime_input())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("follow_up") and not (data.get("follow_up_subject") or "").strip():
            self.add_error("follow_up_subject", _("Give the follow-up a subject."))
        return data


class OccurrenceForm(BootstrapForm):
    """One occurrence of a series changed on its own."""

    subject = forms.CharField(label=_("Subject"), max_length=255)
    body = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    due_at = forms.DateTimeField(label=_("Starts"), widget=_datetime_input())
    ends_at = forms.DateTimeField(label=_("Ends"), required=False, widget=_datetime_input())
    location = forms.CharField(label=_("Location"), max_length=255, required=False)


class FilterForm(BootstrapForm):
    """The activity list's filters; every value optional, unknown values are an error, not ignored."""

    STATUS_CHOICES = (("open", _("Open")), ("done", _("Done")), ("cancelled", _("Cancelled")), ("all", _("All")))

    kind = forms.ChoiceField(label=_("Type"), choices=[("", _("All types")), *ActivityKind.choices], required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    due_from = LocalizedDateField(label=_("Due from"), required=False, validators=[bounded_input])
    due_to = LocalizedDateField(label=_("Due to"), required=False, validators=[bounded_input])
    q = forms.CharField(label=_("Subject contains"), required=False, max_length=100)
    # From dashboard widgets: completed on these days, overdue now.
    completed_from = LocalizedDateField(label=_("Completed from"), required=False, validators=[bounded_input])
    completed_to = LocalizedDateField(label=_("Completed to"), required=False, validators=[bounded_input])
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    assignees = forms.CharField(label=_("Assigned to"), required=False, max_length=2000)
    company = forms.IntegerField(required=False, widget=forms.HiddenInput)
    contact = forms.IntegerField(required=False, widget=forms.HiddenInput)
    lead = forms.IntegerField(required=False, widget=forms.HiddenInput)
    deal = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The list's filter controls read the same people: looked up once per request.
        people = [(str(person.pk), str(person)) for person in owner_choices(user) if person.pk != user.pk]
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("me", _("Me")),
            ("all", _("Everyone I can see")),
            *people,
        ]

    def clean_status(self) -> str:
        return self.cleaned_data.get("status") or ActivityStatus.OPEN

    def clean_assignees(self) -> list[int]:
        """``3,5,8``: any of these people (a dashboard's team); the rows stay those the user may see."""
        parts = [part.strip() for part in (self.cleaned_data.get("assignees") or "").split(",") if part.strip()]
        if any(not part.isdigit() or len(part) > 18 for part in parts):
            raise ValidationError(_("Give the people as numbers separated by commas."))
        return [int(part) for part in parts]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("iCalendar file (.ics)"), widget=forms.ClearableFileInput(attrs={"accept": ".ics,text/calendar"})
    )
