"""Settings → Calendar sync (``activities.change``): each user connects, tries, syncs now and
disconnects their own calendar; nobody sees another user's."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity.decorators import permission_required, signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.activities.calendar_sync.choices import CalendarKind
from modules.activities.calendar_sync.forms import ConnectionForm
from modules.activities.calendar_sync.models import CalendarConnection
from modules.activities.calendar_sync.selectors import partial_copies
from modules.activities.calendar_sync.services.connections import (
    connect_calendar,
    disconnect_calendar,
    test_connection,
)
from modules.activities.calendar_sync.tasks import sync_calendar
from modules.oauth_accounts.providers import enabled_providers

PERMISSION = "activities.change"


def _own(request: HttpRequest) -> CalendarConnection | None:
    return CalendarConnection.objects.filter(user=signed_in_user(request)).select_related("oauth_account").first()


@permission_required(PERMISSION)
def connection(request: HttpRequest) -> HttpResponse:
    current = _own(request)
    initial = (
        {"url": current.url, "username": current.username, "past_days": current.past_days}
        if current and current.kind == CalendarKind.CALDAV
        else None
    )
    form = ConnectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            connect_calendar(user=signed_in_user(request), **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Your calendar is connected. It syncs every minute."))
            return redirect("calendar-sync:connection")
    context = {
        "connection": current,
        "form": form,
        "synced_count": current.events.filter(ignored=False).count() if current else 0,
        "partial_copies": partial_copies(current) if current else [],
        "providers": enabled_providers(),
    }
    return render(request, "calendar_sync/connection.html", context, status=form_status(form))


@require_POST
@permission_required(PERMISSION)
def connection_test(request: HttpRequest) -> HttpResponse:
    current = _own(request)
    if current is None:
        messages.error(request, _("No calendar is connected."))
        return redirect("calendar-sync:connection")
    try:
        test_connection(current)
    except ValidationError as error:
        messages.error(request, _("The calendar cannot be used: %(reason)s") % {"reason": " ".join(error.messages)})
    else:
        messages.success(request, _("The calendar answers and accepts your user name and password."))
    return redirect("calendar-sync:connection")


@require_POST
@permission_required(PERMISSION)
def connection_sync(request: HttpRequest) -> HttpResponse:
    current = _own(request)
    if current is not None:
        sync_calendar.delay(current.pk)
        messages.success(request, _("Your calendar syncs now."))
    return redirect("calendar-sync:connection")


@require_POST
@permission_required(PERMISSION)
def connection_disconnect(request: HttpRequest) -> HttpResponse:
    if disconnect_calendar(user=signed_in_user(request)):
        messages.success(request, _("Your calendar is disconnected. Your meetings stay here."))
    return redirect("calendar-sync:connection")
