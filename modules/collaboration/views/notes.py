"""Writing, editing and removing notes, and the @mention list of the composer."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.input_bounds import text_problem
from identity.models import User
from modules.collaboration.access import may_manage, may_see
from modules.collaboration.models import Note
from modules.collaboration.services.notes import NoteResult, create_note, delete_note, update_note
from modules.collaboration.targets import subject_of
from modules.collaboration.views.common import collaboration_view, record_for, record_of_row, record_url, user_of

MENTION_RESULTS = 8


def _report(request: HttpRequest, result: NoteResult) -> None:
    """Tell the writer who was notified and who was not (they cannot open the record)."""
    if result.notified:
        names = ", ".join(user.display_name for user in result.notified)
        messages.success(request, _("Note saved. Notified: %(names)s.") % {"names": names})
    else:
        messages.success(request, _("Note saved."))
    if result.not_notified:
        names = ", ".join(user.display_name for user in result.not_notified)
        messages.warning(
            request,
            ngettext(
                "%(names)s was not notified: they cannot open this record.",
                "%(names)s were not notified: they cannot open this record.",
                len(result.not_notified),
            )
            % {"names": names},
        )


def _refused(request: HttpRequest, error: ValidationError, context: dict[str, object]) -> HttpResponse:
    errors = error.message_dict if hasattr(error, "error_dict") else {"body": error.messages}
    return render(request, "collaboration/note_form.html", {**context, "errors": errors}, status=400)


@collaboration_view
@require_POST
def note_create(request: HttpRequest, subject: str, pk: int) -> HttpResponse:
    record = record_for(request, subject, pk, change=True)
    body = request.POST.get("body", "")
    try:
        result = create_note(record=record, body=body, by=user_of(request))
    except ValidationError as error:
        return _refused(request, error, {"record": record, "subject": subject, "body": body})
    _report(request, result)
    return redirect(record_url(record, "#timeline-heading"))


def _own_note(request: HttpRequest, pk: int) -> tuple[Note, object]:
    """The note and its record, if the user may open the record and change the note (else 404/403)."""
    note = get_object_or_404(Note, pk=pk)
    record = record_of_row(request, note, change=True)
    if not may_manage(user_of(request), note.author_id):
        raise PermissionDenied(_("Only the note's author or an administrator may change it."))
    return note, record


@collaboration_view
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    note, record = _own_note(request, pk)
    subject, _record_id = subject_of(note)
    context = {"record": record, "subject": subject, "note": note, "body": note.body}
    if request.method == "GET":
        return render(request, "collaboration/note_form.html", context)
    body = request.POST.get("body", "")
    try:
        result = update_note(note, body=body, by=user_of(request))
    except ValidationError as error:
        return _refused(request, error, {**context, "body": body})
    _report(request, result)
    return redirect(record_url(record, "#timeline-heading"))  # type: ignore[arg-type]


@collaboration_view
@require_POST
def note_delete(request: HttpRequest, pk: int) -> HttpResponse:
    note, record = _own_note(request, pk)
    delete_note(note, by=user_of(request))
    messages.success(request, _("Note removed."))
    return redirect(record_url(record, "#timeline-heading"))  # type: ignore[arg-type]


@collaboration_view
@require_GET
def mention_candidates(request: HttpRequest, subject: str, pk: int) -> JsonResponse:
    """Active users matching ``q`` by name or e-mail, each saying whether they could open the
    record (the composer warns before a mention that would notify nobody)."""
    record = record_for(request, subject, pk, change=True)
    query = request.GET.get("q", "")[:100].strip()
    if text_problem(query):
        return JsonResponse({"errors": [{"field": "q", "message": text_problem(query)}]}, status=400)
    users = User.objects.filter(is_active=True).select_related("role").order_by("full_name", "email")
    if query:
        users = users.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    results = [
        {"id": user.pk, "name": user.display_name, "email": user.email, "can_see": may_see(user, record)}
        for user in users[:MENTION_RESULTS]
    ]
    return JsonResponse({"results": results})
