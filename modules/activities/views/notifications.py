"""In-app notifications: the inbox page, marking read, and the navbar bell (loaded by htmx)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from identity.time_zones import user_time_zone
from modules.activities.models import Notification
from modules.activities.selectors import inbox, unread_count
from modules.activities.views.common import current_user

INBOX_LIMIT = 100


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
    if request.POST.get("open") and notification.activity_id:
        return redirect("activities:activity-detail", pk=notification.activity_id)
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
    """The navbar bell with the unread count (one query), refreshed by htmx."""
    unread = unread_count(current_user(request))
    return render(request, "activities/includes/notification_bell_button.html", {"unread": unread})
