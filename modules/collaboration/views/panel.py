"""The notes-and-files card of a record page (loaded by htmx) and following a record."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from modules.collaboration.access import may_manage
from modules.collaboration.models import Attachment
from modules.collaboration.services.follows import follow, is_following, unfollow
from modules.collaboration.targets import TARGETS, link_filter
from modules.collaboration.views.common import collaboration_view, record_for, record_url, user_of

ATTACHMENTS_SHOWN = 100


@collaboration_view
@require_GET
def record_panel(request: HttpRequest, subject: str, pk: int) -> HttpResponse:
    """Follow button, note composer and the record's files (two queries whatever their number)."""
    record = record_for(request, subject, pk)
    user = user_of(request)
    module = TARGETS[subject].module
    attachments = list(
        Attachment.objects.filter(**link_filter(subject, pk)).select_related("uploaded_by")[:ATTACHMENTS_SHOWN]
    )
    for attachment in attachments:
        attachment.manageable = may_manage(user, attachment.uploaded_by_id)  # type: ignore[attr-defined]
    context = {
        "subject": subject,
        "record": record,
        "attachments": attachments,
        "can_change": user.has_perm(f"{module}.change"),
        "following": is_following(record, user=user),
        "max_bytes": settings.ATTACHMENT_MAX_BYTES,
    }
    return render(request, "collaboration/includes/panel.html", context)


@collaboration_view
@require_POST
def follow_toggle(request: HttpRequest, subject: str, pk: int) -> HttpResponse:
    """Follow (``follow=1``) or stop following a record one may open."""
    wanted = request.POST.get("follow") == "1"
    record = record_for(request, subject, pk)
    if wanted:
        follow(record, user=user_of(request))
    else:
        unfollow(record, user=user_of(request))
    return redirect(record_url(record))
