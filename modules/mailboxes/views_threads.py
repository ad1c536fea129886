"""A thread's page (``/mail/threads/<pk>/``, linked from the timelines' e-mail entries) and its
attachments' downloads, both for users with ``activities.view`` and as far as ``access.sight``
allows: a thread the user may not see is a 404, one they see "subject only" shows subjects,
participants and dates (no bodies, no files), one they see in full shows the sanitised bodies and
lets them download the files (served as attachments, never rendered by the browser)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from identity.decorators import permission_required, require_permission
from modules.collaboration.models.attachment import attachment_storage
from modules.collaboration.services.attachments import ACTIVE_TYPES
from modules.mailboxes.access import Sight, sight
from modules.mailboxes.models import MailAttachment, MailMessage, MailThread
from modules.record_access import page_access

PERMISSION = "activities.view"


def _thread(request: HttpRequest, pk: int) -> tuple[MailThread, Sight]:
    thread = get_object_or_404(MailThread.objects.select_related("mailbox"), pk=pk)
    seen = sight(thread, page_access(request))
    if seen is Sight.NONE:
        raise Http404
    return thread, seen


@permission_required(PERMISSION)
@require_GET
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    thread, seen = _thread(request, pk)
    messages = MailMessage.objects.filter(thread=thread).order_by("date", "id")
    if seen is Sight.FULL:
        messages = messages.prefetch_related(Prefetch("attachments", MailAttachment.objects.order_by("id")))
    else:
        messages = messages.defer("text", "html")
    context = {"thread": thread, "messages": list(messages), "full": seen is Sight.FULL}
    return render(request, "mailboxes/thread.html", context)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    require_permission(request, PERMISSION)  # as ``permission_required`` does, for a streamed answer
    attachment = get_object_or_404(MailAttachment.objects.select_related("message__thread__mailbox"), pk=pk)
    _thread_row, seen = _thread(request, attachment.message.thread_id)
    if seen is not Sight.FULL:
        raise Http404
    content_type = attachment.content_type or "application/octet-stream"
    if any(content_type.startswith(active) for active in ACTIVE_TYPES):
        content_type = "application/octet-stream"
    response = FileResponse(
        attachment_storage().open(attachment.storage_key, "rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
