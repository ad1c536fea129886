"""Uploading, downloading and removing a record's files. Downloads are served only here, after
the record's checks, as attachments (never rendered by the browser)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from modules.collaboration.access import may_manage
from modules.collaboration.models import Attachment
from modules.collaboration.services.attachments import add_attachment, delete_attachment, download_response
from modules.collaboration.views.common import collaboration_view, record_for, record_of_row, record_url, user_of


@collaboration_view
@require_POST
def attachment_upload(request: HttpRequest, subject: str, pk: int) -> HttpResponse:
    record = record_for(request, subject, pk, change=True)
    try:
        attachment = add_attachment(record=record, upload=request.FILES.get("file"), by=user_of(request))
    except ValidationError as error:
        context = {"record": record, "errors": error.message_dict, "back_url": record_url(record, "#record-files")}
        return render(request, "collaboration/upload_refused.html", context, status=400)
    messages.success(request, _("%(name)s attached.") % {"name": attachment.name})
    return redirect(record_url(record, "#record-files"))


@collaboration_view
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(Attachment, pk=pk)
    record_of_row(request, attachment)
    return download_response(attachment)


@collaboration_view
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(Attachment, pk=pk)
    record = record_of_row(request, attachment, change=True)
    if not may_manage(user_of(request), attachment.uploaded_by_id):
        raise PermissionDenied(_("Only who attached the file or an administrator may remove it."))
    delete_attachment(attachment, by=user_of(request))
    messages.success(request, _("%(name)s removed.") % {"name": attachment.name})
    return redirect(record_url(record, "#record-files"))
