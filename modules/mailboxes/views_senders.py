"""Unknown senders (``/mail/senders/``): who wrote to the user's own connected mailboxes and is no
contact, lead or colleague yet, newest first, each with "Make contact" (``contacts.change``) and
"Make lead" (the sales module and ``sales.change``) — one click, then their mail is on the new
record's timeline. The page needs ``activities.change``, as the mailboxes' settings do."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity.decorators import permission_required
from identity.models import User
from modules.mailboxes.services.unknown_senders import has_unlinked_mail, sender_to_record, unknown_senders
from modules.registry import is_enabled

KINDS = {"contact": ("contacts.change", "contacts:contact-detail"), "lead": ("sales.change", "sales:lead-detail")}


def _may(request: HttpRequest, kind: str) -> bool:
    if kind == "lead" and not is_enabled(getattr(request, "tenant", None), "sales"):
        return False
    return bool(request.user.has_perm(KINDS[kind][0]))


@permission_required("activities.change")
def sender_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context = {
        "senders": unknown_senders(user.pk),
        "may_contact": _may(request, "contact"),
        "may_lead": _may(request, "lead"),
    }
    return render(request, "mailboxes/unknown_senders.html", context)


@permission_required("activities.change")
@require_POST
def sender_make(request: HttpRequest, kind: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if kind not in KINDS or not _may(request, kind):
        raise PermissionDenied
    address = request.POST.get("address", "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        return _refused(request, {"address": [_("Enter a valid e-mail address.")]})
    if not has_unlinked_mail(user.pk, address):  # only senders of the user's own unlinked mail
        raise Http404
    try:
        record = sender_to_record(user, address, kind)
    except ValidationError as error:
        return _refused(request, error.message_dict)
    messages.success(request, _("%(name)s was added; their e-mails are on the timeline.") % {"name": record})
    return redirect(KINDS[kind][1], record.pk)


def _refused(request: HttpRequest, errors: dict[str, list[str]]) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context = {
        "senders": unknown_senders(user.pk),
        "may_contact": _may(request, "contact"),
        "may_lead": _may(request, "lead"),
        "errors": errors,
    }
    return render(request, "mailboxes/unknown_senders.html", context, status=400)
