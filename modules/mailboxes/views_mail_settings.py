"""Settings → E-mail (``settings.manage_tenant``): whether composed mail may be tracked, and the
logging address with its webhook URL (rotated on demand) and the mailbox it may be read from over
IMAP (its state shown; "Check now" queues a read). ``POST /mail/p/log/<token>/``
takes one raw RFC 5322 message (``message/rfc822``) from the workspace's mail relay: the token
finds the settings in the host's tenant, so another tenant's token, a rotated one or a switched-off
address is a 404 (the callers are outsiders)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from identity.decorators import permission_required
from identity.models import User
from modules.mailboxes.choices import MailSecurity
from modules.mailboxes.models import MailSettings
from modules.mailboxes.services.mail_settings import (
    MAX_MESSAGE_BYTES,
    current,
    logging_token,
    receive_logged,
    rotate_logging_token,
    save_mail_settings,
    settings_for_token,
    tracking_allowed,
)
from modules.mailboxes.tasks import poll_logging_mailbox

PERMISSION = "settings.manage_tenant"
IMAP_FIELDS = ("imap_host", "imap_port", "imap_security", "imap_user", "imap_folder")


def _imap_shown(row: MailSettings | None) -> dict[str, object]:
    if row is None:
        return {
            "imap_host": "",
            "imap_port": 993,
            "imap_security": MailSecurity.TLS,
            "imap_user": "",
            "imap_folder": "INBOX",
        }
    return {name: getattr(row, name) for name in IMAP_FIELDS}


@permission_required(PERMISSION)
def mail_settings(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    row = current()
    errors: dict[str, list[str]] = {}
    values = {
        "tracking": tracking_allowed(),
        "logging_address": row.logging_address if row else "",
        "logging_active": row.logging_active if row else False,
        **_imap_shown(row),
    }
    status = 200
    if request.method == "POST":
        values = {
            "tracking": request.POST.get("tracking") == "on",
            "logging_address": request.POST.get("logging_address", ""),
            "logging_active": request.POST.get("logging_active") == "on",
            **{name: request.POST.get(name, "") for name in IMAP_FIELDS},
        }
        imap = {name: values[name] for name in IMAP_FIELDS} | {"imap_password": request.POST.get("imap_password", "")}
        try:
            save_mail_settings(
                tracking=bool(values["tracking"]), logging_address=str(values["logging_address"]),
                logging_active=bool(values["logging_active"]), by=user, imap=imap,
            )  # fmt: skip
        except ValidationError as error:
            errors, status = error.message_dict, 400
        else:
            messages.success(request, _("The e-mail settings are saved."))
            return redirect("mail-settings:settings")
    token = logging_token(row) if row is not None else ""
    webhook = request.build_absolute_uri(reverse("mail-public:logging-inbound", args=[token])) if token else ""
    context = {
        "values": values, "errors": errors, "webhook": webhook, "row": row,
        "securities": MailSecurity.choices, "password_stored": bool(row and row.imap_password),
    }  # fmt: skip
    return render(request, "mailboxes/mail_settings.html", context, status=status)


@permission_required(PERMISSION)
@require_POST
def logging_rotate(request: HttpRequest) -> HttpResponse:
    if rotate_logging_token(by=request.user) is not None:  # type: ignore[arg-type]
        messages.success(request, _("The webhook has a new URL: give it to your mail relay."))
    return redirect("mail-settings:settings")


@permission_required(PERMISSION)
@require_POST
def logging_poll_now(request: HttpRequest) -> HttpResponse:
    """Queue a read of the logging mailbox now instead of at the next minute."""
    row = current()
    if row is not None and row.polls_imap:
        poll_logging_mailbox.apply_async(expires=55, retry=False)
        messages.success(request, _("The mailbox will be checked in a moment."))
    return redirect("mail-settings:settings")


def _bad(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"errors": {"body": [message]}}, status=status)


@csrf_exempt
@require_POST
def logging_inbound(request: HttpRequest, token: str) -> HttpResponse:
    if settings_for_token(token) is None:
        raise Http404
    raw = request.read(MAX_MESSAGE_BYTES + 1)  # past Django's form-size bound: mail has attachments
    if len(raw) > MAX_MESSAGE_BYTES:
        return _bad("The message is larger than the allowed size.", status=413)
    if not raw.strip():
        return _bad("The body must be one e-mail message (message/rfc822).")
    return JsonResponse({"outcome": receive_logged(raw)})
