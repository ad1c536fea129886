"""Activity pages: the list (on modules.lists), the detail with its follow-up chain, the forms and the quick actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from customization.fields.display import detail_sections
from customization.fields.form_fields import form_errors
from identity.forms import apply_service_errors, form_status
from modules.activities.calendar_sync.selectors import calendar_copy
from modules.activities.choices import ActivityKind, ActivityStatus
from modules.activities.forms import ActivityForm, CompleteForm, FilterForm
from modules.activities.lists import ACTIVITIES
from modules.activities.models import Activity
from modules.activities.selectors import LINK_FIELDS, visible_activities
from modules.activities.services.activities import (
    FollowUp,
    cancel_activity,
    complete_activity,
    delete_activity,
    follow_up_chain,
)
from modules.activities.services.meetings import save_activity
from modules.activities.services.series import instance_at
from modules.activities.views.common import activities_view, current_user, get_visible_activity, sales_enabled
from modules.activities.views.meetings import meeting_context
from modules.home.recent import remember_visit
from modules.lists import views as lists
from modules.workspace.working_hours import working_hours


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@activities_view("activities.view")
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    """My open activities by due date (overdue and today marked) on the shared list framework; a
    filter value the form refuses is a 400 naming its field."""
    form = FilterForm(lists.list_params(ACTIVITIES, request.GET), user=current_user(request))
    errors = [
        f"{form.fields[name].label}: {' '.join(str(message) for message in problems)}"
        for name, problems in ({} if form.is_valid() else form.errors).items()
    ]
    response = lists.list_page(
        request,
        ACTIVITIES,
        extra_context={"form": form, "filter_errors": errors, "sales_enabled": sales_enabled(request)},
    )
    if errors and response.status_code == 200:
        response.status_code = 400
    return response


@activities_view("activities.view")
@require_POST
def activity_bulk(request: HttpRequest) -> HttpResponse:
    return lists.bulk(request, ACTIVITIES)


@activities_view("activities.view")
@require_POST
def activity_view_save(request: HttpRequest) -> HttpResponse:
    return lists.save_saved_view(request, ACTIVITIES)


@activities_view("activities.view")
@require_POST
def activity_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return lists.delete_saved_view(request, pk, ACTIVITIES)


@activities_view("activities.view")
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_visible_activity(request, pk)
    remember_visit(request.user, activity)
    chosen = request.GET.get("occurrence", "")
    original = None
    if chosen.isdigit() and len(chosen) < 12:  # an occurrence of the series picked in the calendar
        original = instance_at(activity, datetime.fromtimestamp(int(chosen), tz=UTC))
    return detail_page(request, activity, chosen_occurrence=original)


def detail_page(
    request: HttpRequest, activity: Activity, *, status: int = 200, chosen_occurrence: datetime | None = None
) -> HttpResponse:
    """The activity's page (also the answer to a refused form posted from it, with a 4xx)."""
    chain = follow_up_chain(activity)
    visible = visible_activities(current_user(request)).filter(pk__in=[a.pk for a in chain])
    visible_ids = set(visible.values_list("pk", flat=True))
    context = {
        "activity": activity,
        "chain": [a for a in chain if a.pk in visible_ids] if len(chain) > 1 else [],
        "sales_enabled": sales_enabled(request),
        "custom_details": detail_sections("activity", activity, user=current_user(request)),
        "calendar_copy": calendar_copy(activity),
        **meeting_context(activity, current_user(request)),
        "chosen_occurrence": chosen_occurrence,
    }
    return render(request, "activities/activity_detail.html", context, status=status)


def _linked_records(form: ActivityForm) -> dict[str, Any]:
    """The records the form links to, for display (only ones the user may see)."""
    linked = {}
    for name in LINK_FIELDS:
        if name not in form.fields:
            continue
        value = form[name].value()
        if value in (None, ""):
            continue
        try:
            linked[name] = form.fields[name].queryset.filter(pk=int(value)).first()  # type: ignore[attr-defined]
        except (TypeError, ValueError):
            continue
    return {name: record for name, record in linked.items() if record is not None}


def _render_form(request: HttpRequest, form: ActivityForm, activity: Activity | None) -> HttpResponse:
    context = {"form": form, "activity": activity, "linked": _linked_records(form), "next": _next_url(request, "")}
    return render(request, "activities/activity_form.html", context, status=form_status(form))


# A new call or meeting starts at the workspace's next working slot; a meeting lasts this long.
TIMED_KINDS = (ActivityKind.CALL, ActivityKind.MEETING)
MEETING_LENGTH = timedelta(hours=1)


def _next_working_slot(kind: str) -> dict[str, Any]:
    """``due_at`` (and a meeting's ``ends_at``, within the same working day) of a new call or
    meeting: the next slot inside the workspace's working hours."""
    hours = working_hours()
    start = hours.next_start(timezone.now())
    if start is None:
        return {}
    if kind != ActivityKind.MEETING:
        return {"due_at": start}
    closing = datetime.combine(start.date(), hours.end, tzinfo=hours.zone)
    return {"due_at": start, "ends_at": min(start + MEETING_LENGTH, closing)}


@activities_view("activities.change")
def activity_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    initial: dict[str, Any] = {"assignee": user.pk}
    for name in (*LINK_FIELDS, "kind"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    if request.method != "POST" and initial.get("kind") in TIMED_KINDS:
        initial.update(_next_working_slot(initial["kind"]))
    if initial.get("kind") == ActivityKind.MEETING and str(initial.get("contact", "")).isdigit():
        initial["attendees"] = [f"contact:{initial['contact']}"]  # planned from a contact: they are invited
    form = ActivityForm(request.POST or None, initial=initial, user=user, sales_enabled=sales_enabled(request))
    form.add_custom_fields("activity", user=user)
    if request.method == "POST" and form.is_valid():
        try:
            activity = save_activity(
                None, by=user, values={"custom": form.custom_values(), **form.service_values()}, invitees=form.invitees
            )
        except ValidationError as error:
            apply_service_errors(form, form_errors(error))
        else:
            messages.success(request, _("“%(subject)s” is planned.") % {"subject": activity.subject})
            return redirect(_next_url(request, reverse("activities:activity-detail", args=[activity.pk])))
    return _render_form(request, form, None)


@activities_view("activities.change")
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_visible_activity(request, pk)
    user = current_user(request)
    initial, offset = ActivityForm.initial_for(activity)
    form = ActivityForm(
        request.POST or None,
        initial=initial,
        user=user,
        sales_enabled=sales_enabled(request),
        extra_offset=offset,
        current_assignee_id=activity.assignee_id,
        activity=activity,
    )
    form.add_custom_fields("activity", user=user, current=activity.custom)
    if request.method == "POST" and form.is_valid():
        try:
            save_activity(
                activity,
                by=user,
                values={"custom": form.custom_values(), **form.service_values()},
                invitees=form.invitees,
                stop_series=form.rule == "",
            )
        except ValidationError as error:
            apply_service_errors(form, form_errors(error))
        else:
            messages.success(request, _("“%(subject)s” is saved.") % {"subject": activity.subject})
            return redirect(_next_url(request, reverse("activities:activity-detail", args=[activity.pk])))
    return _render_form(request, form, activity)


@activities_view("activities.change")
def activity_complete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_visible_activity(request, pk)
    user = current_user(request)
    if activity.status != ActivityStatus.OPEN and request.method != "POST":
        # Nothing to fill in: an unbound form cannot carry the error, so say it on the activity.
        messages.info(request, _("Only an open activity can be completed."))
        return redirect(reverse("activities:activity-detail", args=[activity.pk]))
    form = CompleteForm(request.POST or None)
    if activity.status != ActivityStatus.OPEN:
        form.add_error(None, _("Only an open activity can be completed."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        follow_up = None
        if data["follow_up"]:
            follow_up = FollowUp(
                kind=data["follow_up_kind"], subject=data["follow_up_subject"].strip(), due_at=data["follow_up_due"]
            )
        try:
            activity, next_activity = complete_activity(
                activity, by=user, outcome=data["outcome"], outcome_note=data["outcome_note"], follow_up=follow_up
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if next_activity is not None:
                messages.success(
                    request,
                    _("“%(subject)s” is done; the follow-up “%(next)s” is planned.")
                    % {"subject": activity.subject, "next": next_activity.subject},
                )
            else:
                messages.success(request, _("“%(subject)s” is done.") % {"subject": activity.subject})
            return redirect(_next_url(request, reverse("activities:activity-detail", args=[activity.pk])))
    status = 400 if form.errors and request.method == "POST" else 200
    if activity.status != ActivityStatus.OPEN and request.method == "POST":
        status = 400
    context = {"form": form, "activity": activity, "next": _next_url(request, "")}
    return render(request, "activities/activity_complete.html", context, status=status)


@activities_view("activities.change")
@require_POST
def activity_quick_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Done without an outcome, from the list (htmx swaps the row)."""
    activity = get_visible_activity(request, pk)
    try:
        activity, _next = complete_activity(activity, by=current_user(request))
    except ValidationError as error:
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(" ".join(error.messages), status=400)
        messages.error(request, " ".join(error.messages))
        return redirect(_next_url(request, reverse("activities:activity-list")))
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "activities/includes/activity_row.html", {"activity": activity, "just_done": True})
    messages.success(request, _("“%(subject)s” is done.") % {"subject": activity.subject})
    return redirect(_next_url(request, reverse("activities:activity-list")))


@activities_view("activities.change")
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_visible_activity(request, pk)
    try:
        cancel_activity(activity, by=current_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(subject)s” is cancelled.") % {"subject": activity.subject})
    return redirect("activities:activity-detail", pk=activity.pk)


@activities_view("activities.delete")
@require_POST
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_visible_activity(request, pk)
    subject = activity.subject
    delete_activity(activity, by=current_user(request))
    messages.success(request, _("“%(subject)s” is deleted.") % {"subject": subject})
    return redirect("activities:activity-list")
