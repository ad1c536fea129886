"""The workspace's e-mail settings, saved by an administrator: whether composed mail may be
tracked, and the BCC / forward logging address (its webhook token rotated on demand). Mail the
relay posts to the logging webhook is logged when its sender is one of the workspace's active
users (anyone else could write to the address), on the records its addresses match
(``services.logged``); a message forwarded as an attachment logs the attached original;
automatic mail (auto-replies, reports, bulk and list mail) is ignored. The address may also be a
mailbox the workers read over IMAP (``services.logging_mailbox``); its settings are saved here."""

from __future__ import annotations

import hashlib
import secrets
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from core.encryption import decrypt, encrypt
from core.mail.parsing import parse_mail
from customization import outbound_http
from customization.events.outbox import emit
from identity.models import User
from modules.mailboxes.choices import MailSecurity
from modules.mailboxes.models import MailSettings
from modules.mailboxes.services.logged import log_mail

MAX_MESSAGE_BYTES = 40 * 1024 * 1024
MAX_ATTACHED_MESSAGES = 10


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current() -> MailSettings | None:
    return MailSettings.objects.first()


def tracking_allowed() -> bool:
    row = current()
    return row.tracking if row is not None else MailSettings._meta.get_field("tracking").default  # type: ignore[no-any-return]


def logging_token(row: MailSettings) -> str:
    return decrypt(row.logging_token) if row.logging_token else ""


def settings_for_token(token: str) -> MailSettings | None:
    """The settings whose active logging address the webhook ``token`` names, else None."""
    if not token or len(token) > 200:
        return None
    return MailSettings.objects.filter(logging_token_hash=token_hash(token), logging_active=True).first()


def _new_token(row: MailSettings) -> None:
    token = secrets.token_urlsafe(32)
    row.logging_token, row.logging_token_hash = encrypt(token), token_hash(token)


def _imap_values(imap: dict[str, Any], stored_password: str) -> dict[str, Any]:
    """The logging mailbox's IMAP settings checked (a ValidationError naming the field); an empty
    host means the address is not read over IMAP. A blank password keeps the stored one."""
    host = str(imap.get("imap_host") or "").strip().lower()
    if not host:
        return {"imap_host": "", "imap_user": "", "imap_password": ""}
    errors: dict[str, list[str]] = {}
    try:
        port = int(str(imap.get("imap_port") or 993).strip())
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        errors["imap_port"] = [_("Enter a port between 1 and 65535.")]
    security = str(imap.get("imap_security") or MailSecurity.TLS)
    if security not in MailSecurity.values:
        errors["imap_security"] = [_("Choose how the connection is secured.")]
    user = str(imap.get("imap_user") or "").strip()
    if not user or len(user) > 254:
        errors["imap_user"] = [_("Enter the user that signs in to the mailbox.")]
    password = str(imap.get("imap_password") or "")
    if not password and not stored_password:
        errors["imap_password"] = [_("Enter the mailbox's password.")]
    folder = str(imap.get("imap_folder") or "").strip() or "INBOX"
    if len(folder) > 200 or any(ord(char) < 32 for char in folder):
        errors["imap_folder"] = [_("Enter a folder name of at most 200 characters.")]
    if len(host) > 253:
        errors["imap_host"] = [_("Enter a host name.")]
    elif "imap_port" not in errors:
        try:
            outbound_http.resolve(host, port)
        except outbound_http.OutboundError as error:
            errors["imap_host"] = [str(error)]
    if errors:
        raise ValidationError(errors)
    return {
        "imap_host": host, "imap_port": port, "imap_security": security, "imap_user": user,
        "imap_password": encrypt(password) if password else stored_password, "imap_folder": folder,
    }  # fmt: skip


def save_mail_settings(
    *, tracking: bool, logging_address: str, logging_active: bool, by: User, imap: dict[str, Any] | None = None
) -> MailSettings:
    """Save the workspace's e-mail settings (a ValidationError naming the field: ``logging_address``,
    the logging mailbox's ``imap_*``)."""
    address = logging_address.strip().lower()
    if address or logging_active:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError({"logging_address": [_("Enter a valid e-mail address.")]}) from None
        if User.objects.filter(email__iexact=address).exists():
            raise ValidationError({"logging_address": [_("This is a user's address: choose one only for logging.")]})
    stored = current()
    values = _imap_values(imap or {}, stored.imap_password if stored is not None else "")
    with transaction.atomic():
        row = MailSettings.objects.select_for_update().first() or MailSettings()
        if address and not row.logging_token_hash:
            _new_token(row)
        row.tracking, row.logging_address, row.logging_active = tracking, address, logging_active and bool(address)
        if any(values.get(name, "") != getattr(row, name) for name in ("imap_host", "imap_user", "imap_folder")):
            # Another mailbox or folder: its UIDs say nothing of the old one's.
            row.uidvalidity, row.last_uid, row.last_error, row.last_error_at = None, 0, "", None
        for name, value in values.items():
            setattr(row, name, value)
        row.save()
        emit(
            "mail_settings.saved", row, entity="mail_settings", actor=by,
            data={"tracking": row.tracking, "logging": row.logging_active, "logging_imap": bool(row.imap_host)},
        )  # fmt: skip
    return row


def rotate_logging_token(*, by: User) -> MailSettings | None:
    with transaction.atomic():
        row = MailSettings.objects.select_for_update().first()
        if row is not None and row.logging_token_hash:
            _new_token(row)
            row.save(update_fields=["logging_token", "logging_token_hash", "updated_at"])
            emit("mail_settings.logging_token_rotated", row, entity="mail_settings", actor=by, data={})
    return row


def _attached_messages(raw: bytes) -> list[bytes]:
    """The messages attached to ``raw`` (a forward "as attachment"), in order."""
    try:
        message = message_from_bytes(raw, policy=policy.default)
    except Exception:  # parse_mail has read it already; without a structure there is nothing attached
        return []
    found: list[bytes] = []
    for part in message.walk() if isinstance(message, EmailMessage) else []:
        if part.get_content_type() == "message/rfc822" and len(found) < MAX_ATTACHED_MESSAGES:
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if hasattr(inner, "as_bytes"):
                found.append(inner.as_bytes())
    return found


def receive_logged(raw: bytes) -> str:
    """Log what the relay delivered to the logging address; the outcome for the relay."""
    mail = parse_mail(raw, max_attachment=0)
    if (
        mail.is_report
        or mail.headers.get("Precedence", "").strip().lower() in ("bulk", "junk", "list")
        or any(
            mail.headers.get(name, "").strip().lower() not in ("", "no")
            for name in ("Auto-Submitted", "X-Autoreply", "X-Autorespond")
        )
    ):
        return "ignored: automatic message"
    sender = User.objects.filter(email__iexact=mail.from_address, is_active=True).first() if mail.from_address else None
    if sender is None:
        return "ignored: the sender is not a user of the workspace"
    originals = _attached_messages(raw) or [raw]
    logged = [log_mail(original, by=sender, via="address") for original in originals]
    if not any(message is not None for message, _new in logged):
        return "ignored: no record matches"
    return "logged" if any(new for _message, new in logged) else "logged already"
