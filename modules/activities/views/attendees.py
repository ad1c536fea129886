"""A meeting's attendees on its page: invite someone by address, take an attendee off, send the
invitation again. Each answer is a redirect to the meeting with a message; a refused value is the
meeting's page again with a 400 and a message naming the field."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from modules.activities.calendar_sync.selectors import sending_calendar
from modules.activities.services import itip
from modules.activities.services.invitations import add_attendee, remove_attendee
from modules.activities.views.activities import detail_page
from modules.activities.views.common import activities_view, current_user, get_visible_activity


@activities_view("activities.change")
@require_POST
def attendee_add(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_visible_activity(request, pk)
    email, name = request.POST.get("email", ""), request.POST.get("name", "")
    try:
        row = add_attendee(activity, email=email, name=name, by=current_user(request))
    except ValidationError as error:
        problems = error.message_dict if hasattr(error, "error_dict") else {"email": error.messages}
        for field, texts in problems.items():
            messages.error(request, f"{field}: {' '.join(texts)}")
        return detail_page(request, activity, status=400)
    messages.success(request, _("%(who)s is invited; the invitation is on its way.") % {"who": row})
    return redirect("activities:activity-detail", pk=activity.pk)


@activities_view("activities.change")
@require_POST
def attendee_remove(request: HttpRequest, pk: int, attendee_pk: int) -> HttpResponse:
    activity = get_visible_activity(request, pk)
    attendee = get_object_or_404(activity.attendees.all(), pk=attendee_pk)
    try:
        remove_attendee(attendee, by=current_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(who)s is no longer invited and is told so.") % {"who": attendee})
    return redirect("activities:activity-detail", pk=activity.pk)


@activities_view("activities.change")
@require_POST
def invitations_send(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_visible_activity(request, pk)
    sender = sending_calendar(activity)
    if sender is not None:
        messages.info(
            request,
            _("The organiser's %(calendar)s calendar sends this meeting's invitations.")
            % {"calendar": sender.get_kind_display()},
        )
        return redirect("activities:activity-detail", pk=activity.pk)
    itip.invite(activity)
    if itip.organised_here(activity):
        messages.success(request, _("The invitation is sent again to every attendee."))
    else:
        messages.error(request, _("Someone else organises this meeting: invitations come from them."))
    return redirect("activities:activity-detail", pk=activity.pk)
