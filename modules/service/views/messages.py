"""An agent's public reply or internal note with its files, and downloading a case's files.

Files get the checks every record's files get (``checked_upload``: size limit, a name that says
what the bytes are) and go to the private attachment storage before the message is written; if the
message is refused, the stored files are removed again. Downloads are served only here, after the
case's visibility check, as attachments (never rendered by the browser)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from identity.decorators import signed_in_user
from identity.forms import apply_service_errors
from modules.collaboration.composer import picked_from_library
from modules.collaboration.models.attachment import attachment_storage, new_storage_key
from modules.collaboration.services.attachments import checked_upload, download_response
from modules.service.choices import MessageAuthor, MessageKind
from modules.service.forms import MAX_FILES, MessageForm
from modules.service.models import CaseAttachment
from modules.service.services.cases import add_message
from modules.service.views import service_page
from modules.service.views.cases import case_for, case_page


def _checked_files(form: MessageForm) -> list[tuple[Any, str, str]] | None:
    """(upload, name, content type) of each posted file; None with an ``attachments`` error on the form
    when one is refused (nothing stored yet)."""
    checked = []
    for upload in form.cleaned_data.get("attachments") or []:
        try:
            name, content_type = checked_upload(upload)
        except ValidationError as error:
            problems = error.message_dict.get("file", error.messages)
            form.add_error("attachments", f"{upload.name}: {' '.join(problems)}")
            return None
        checked.append((upload, name, content_type))
    return checked


def _library_file(request: HttpRequest, form: MessageForm) -> tuple[str | None, tuple[Any, str, str] | None]:
    """What the composer's library picker adds: (a share line for the text, a file as
    (content, name, type)); the refusals are ``picked_from_library``'s."""
    line, library_file = picked_from_library(
        request, form.cleaned_data.get("attach_from") or "", form.cleaned_data.get("attach_as") or "file"
    )
    if library_file is None:
        return line, None
    name, content, content_type = library_file
    return None, (ContentFile(content, name=name), name, content_type)


@service_page("service.view", "service.change")
@require_POST
def case_message(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for(request, pk)
    form = MessageForm(request.POST, request.FILES)
    files = _checked_files(form) if form.is_valid() else None
    if files is None:
        return case_page(request, case, message_form=form)
    body = form.cleaned_data["body"]
    try:
        line, library_file = _library_file(request, form)
    except ValidationError as error:
        apply_service_errors(form, error)
        return case_page(request, case, message_form=form)
    if line:
        body = f"{body.rstrip()}\n\n{line}"
    if library_file is not None:
        if len(files) >= MAX_FILES:  # the library's file counts like an uploaded one
            form.add_error("attachments", _("Attach at most %(count)d files to one message.") % {"count": MAX_FILES})
            return case_page(request, case, message_form=form)
        files = [*files, library_file]
    storage = attachment_storage()
    stored: list[str] = []
    try:
        attachments = []
        for upload, name, content_type in files:
            key = storage.save(new_storage_key(name), upload)
            stored.append(key)
            attachments.append(
                CaseAttachment(storage_key=key, name=name, content_type=content_type[:100], size=upload.size)
            )
        add_message(
            case, by=signed_in_user(request), author_kind=MessageAuthor.AGENT, kind=form.cleaned_data["kind"],
            body_text=body, attachments=attachments,
        )  # fmt: skip
    except ValidationError as error:
        for key in stored:
            storage.delete(key)
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
        return case_page(request, case_for(request, pk), message_form=form)
    except BaseException:
        for key in stored:
            storage.delete(key)
        raise
    if form.cleaned_data["kind"] == MessageKind.NOTE:
        messages.success(request, _("Internal note added to %(number)s.") % {"number": case.number})
    else:
        messages.success(request, _("Reply added to %(number)s.") % {"number": case.number})
    return redirect(f"{reverse('service:case-detail', args=[case.pk])}#conversation-end")


@service_page("service.view")
@require_GET
def case_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A file of a message of a case the user may see (staff see internal notes' files too)."""
    case = case_for(request, pk)
    attachment = get_object_or_404(CaseAttachment, pk=attachment_pk, message__case=case)
    return download_response(attachment)  # type: ignore[arg-type]  # the same fields as a record's file
