"""Settings → Mailboxes: each user connects their own mailboxes (``activities.change``): IMAP with a
connection test before it is saved, or a provider's account through OAuth2 (the buttons post to
``oauth_accounts:connect``), changes what colleagues see, pauses, resumes, syncs now and
disconnects. A user only ever reaches their own mailboxes (anyone else's is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity.decorators import permission_required, signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.mailboxes.forms import MailboxConnectForm, MailboxSettingsForm
from modules.mailboxes.models import Mailbox
from modules.mailboxes.services.connection import MailboxError, test_connection
from modules.mailboxes.services.mailboxes import (
    connect_mailbox,
    disconnect_mailbox,
    pause_mailbox,
    resume_mailbox,
    update_mailbox,
    with_encrypted_secrets,
)
from modules.mailboxes.tasks import sync_mailbox
from modules.oauth_accounts.providers import enabled_providers

PERMISSION = "activities.change"


def _own(request: HttpRequest, pk: int) -> Mailbox:
    return get_object_or_404(Mailbox.objects.filter(owner=signed_in_user(request)), pk=pk)


@permission_required(PERMISSION)
def mailbox_list(request: HttpRequest) -> HttpResponse:
    mailboxes = list(
        Mailbox.objects.filter(owner=signed_in_user(request)).select_related("oauth_account").order_by("email", "pk")
    )
    return render(request, "mailboxes/list.html", {"mailboxes": mailboxes, "providers": enabled_providers()})


@permission_required(PERMISSION)
def mailbox_connect(request: HttpRequest) -> HttpResponse:
    form = MailboxConnectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        owner = signed_in_user(request)
        values = form.service_values()
        try:
            test_connection(Mailbox(owner=owner, **with_encrypted_secrets(values)))
            mailbox = connect_mailbox(owner=owner, **values)
        except MailboxError as error:
            form.add_error(None, _("The connection test failed: %(error)s") % {"error": error})
        except ValidationError as error:
            apply_service_errors(form, error)  # type: ignore[arg-type]
        else:
            messages.success(request, _("Mailbox %(email)s is connected.") % {"email": mailbox.email})
            return redirect("mailboxes:list")
    return render(request, "mailboxes/form.html", {"form": form, "mailbox": None}, status=form_status(form))


@permission_required(PERMISSION)
def mailbox_edit(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = _own(request, pk)
    form = MailboxSettingsForm(request.POST or None, instance=mailbox)
    if request.method == "POST" and form.is_valid():
        update_mailbox(Mailbox.objects.get(pk=mailbox.pk), by=signed_in_user(request), **form.service_values())
        messages.success(request, _("Mailbox %(email)s is saved.") % {"email": mailbox.email})
        return redirect("mailboxes:list")
    return render(request, "mailboxes/form.html", {"form": form, "mailbox": mailbox}, status=form_status(form))


@require_POST
@permission_required(PERMISSION)
def mailbox_pause(request: HttpRequest, pk: int) -> HttpResponse:
    pause_mailbox(_own(request, pk), by=signed_in_user(request))
    return redirect("mailboxes:list")


@require_POST
@permission_required(PERMISSION)
def mailbox_resume(request: HttpRequest, pk: int) -> HttpResponse:
    resume_mailbox(_own(request, pk), by=signed_in_user(request))
    return redirect("mailboxes:list")


@require_POST
@permission_required(PERMISSION)
def mailbox_sync(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = _own(request, pk)
    sync_mailbox.apply_async((mailbox.pk,), expires=300)
    messages.info(request, _("Mailbox %(email)s will be read in a moment.") % {"email": mailbox.email})
    return redirect("mailboxes:list")


@require_POST
@permission_required(PERMISSION)
def mailbox_disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = _own(request, pk)
    email = mailbox.email
    disconnect_mailbox(mailbox, by=signed_in_user(request))
    messages.success(request, _("Mailbox %(email)s is disconnected; its e-mails were removed.") % {"email": email})
    return redirect("mailboxes:list")
