"""In-app notifications: the inbox page, marking read, and the navbar bell (loaded by htmx)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from identity.time_zones import user_time_zone
from modules.activities.models import Notification
from modules.activities.selectors import inbox, new_unread, unread_and_newest
from modules.activities.views.common import current_user

INBOX_LIMIT = 100
TOASTS_SHOWN = 3


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    with timezone.override(user_time_zone(request)):
        notifications = list(inbox(user)[:INBOX_LIMIT])
        return render(
            request,
            "activities/notifications.html",
            {"notifications": notifications, "unread": sum(1 for n in notifications if n.read_at is None)},
        )


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read; the notification's activity opens next if asked (``?open=1``)."""
    notification = get_object_or_404(Notification, pk=pk, recipient=current_user(request))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    target = notification.target_url if request.POST.get("open") else None
    if target:
        return redirect(target)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "activities/includes/notification_item.html", {"notification": notification})
    return redirect("activities:notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(recipient=current_user(request), read_at__isnull=True).update(read_at=timezone.now())
    return redirect("activities:notifications")


@login_required
@require_GET
def notification_bell(request: HttpRequest) -> HttpResponse:
    """The navbar bell, polled by htmx every 20 seconds: the unread count, and a toast for each
    notification newer than ``after`` (the newest id the page had seen; the answer carries the
    next one). Two queries at most, so polling from every open tab stays cheap.

    Polling rather than Server-Sent Events: gunicorn runs gthread workers with a few threads each,
    and a stream held open per tab would take a thread for as long as the tab is open."""
    user = current_user(request)
    unread, newest = unread_and_newest(user)
    after = request.GET.get("after", "")
    seen = int(after) if after.isascii() and after.isdigit() and len(after) < 19 else None
    fresh: list[Notification] = []
    if seen is not None and unread and newest > seen:
        fresh = list(new_unread(user, after=seen)[:TOASTS_SHOWN])
    latest = newest if seen is None else max(seen, newest)
    context = {"unread": unread, "latest": latest, "fresh": fresh}
    return render(request, "activities/includes/notification_bell_button.html", context)
