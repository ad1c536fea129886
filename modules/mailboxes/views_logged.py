"""Logging e-mail files on a record: .eml and .msg files chosen or dropped on the record's
"Log e-mail files" page are read first — one unreadable file refuses them all, naming it, and
nothing is written — then logged one by one (``services.logged``), the page reporting how many
were new and how many were logged already. The record must be visible to the user; logging needs
``activities.change``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from identity.decorators import permission_required
from identity.models import User
from modules.mailboxes.services.logged import log_mail
from modules.mailboxes.services.mail_files import mail_bytes
from modules.mailboxes.views_compose import DETAIL_PAGES, _record

MAX_FILES = 20


def _read(request: HttpRequest) -> list[tuple[str, bytes]]:
    uploads = request.FILES.getlist("files")
    if not uploads:
        raise ValidationError({"files": [_("Choose at least one .eml or .msg file.")]})
    if len(uploads) > MAX_FILES:
        raise ValidationError({"files": [_("Log at most %(count)d files at once.") % {"count": MAX_FILES}]})
    problems: list[str] = []
    read: list[tuple[str, bytes]] = []
    for upload in uploads:
        name = upload.name or "file"
        try:
            read.append((name, mail_bytes(name, upload.read())))
        except ValidationError as error:
            problems.extend(error.message_dict["files"])
    if problems:
        raise ValidationError({"files": problems})
    return read


@permission_required("activities.change")
def log_files_view(request: HttpRequest, entity: str, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    record = _record(user, entity, pk)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            files = _read(request)
        except ValidationError as error:
            errors, status = error.message_dict, 400
        else:
            new = sum(1 for _name, raw in files if log_mail(raw, by=user, on=(entity, record), via="file")[1])
            again = len(files) - new
            text = ngettext("%(count)d e-mail logged.", "%(count)d e-mails logged.", new) % {"count": new}
            if again:
                text += " " + ngettext(
                    "%(count)d was logged already: it is now on this record too.",
                    "%(count)d were logged already: they are now on this record too.",
                    again,
                ) % {"count": again}
            messages.success(request, text)
            return redirect(DETAIL_PAGES[entity], record.pk)
    context = {
        "record": record,
        "record_url": reverse(DETAIL_PAGES[entity], args=[record.pk]),
        "errors": errors,
        "max_files": MAX_FILES,
    }
    return render(request, "mailboxes/log_files.html", context, status=status)
