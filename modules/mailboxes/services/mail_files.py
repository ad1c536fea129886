"""E-mail files a user drops on a record: ``.eml`` (RFC 5322 bytes, as every mail client saves
them) and Outlook's ``.msg`` (a compound file read with ``extract-msg``, turned into the same RFC
5322 bytes with its sender, recipients, dates, ids, bodies and attachments), so both are logged
through one path (``services.logged``). A file that is neither, or that cannot be read, is refused
with a message naming it; nothing is written for it."""

from __future__ import annotations

import io
import logging
import mimetypes
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 40 * 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Headers without which a file is not an e-mail (any one of them will do).
MAIL_HEADERS = (b"from:", b"message-id:", b"subject:", b"date:", b"to:")


def _refuse(name: str, reason: str) -> ValidationError:
    return ValidationError({"files": [_("%(file)s: %(reason)s") % {"file": name[:100], "reason": reason}]})


def _looks_like_mail(raw: bytes) -> bool:
    head = raw[:65536].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].lower()
    lines = [line.strip() for line in head.splitlines()]
    return any(line.startswith(MAIL_HEADERS) for line in lines)


def mail_bytes(name: str, content: bytes) -> bytes:
    """The RFC 5322 bytes of the dropped file ``name``; a ValidationError under ``files`` naming
    it when it is not a readable .eml or .msg."""
    lower = name.lower()
    if len(content) > MAX_FILE_BYTES:
        raise _refuse(name, _("the file is larger than 40 MB."))
    if lower.endswith(".eml"):
        if content.startswith(OLE_MAGIC) or not _looks_like_mail(content):
            raise _refuse(name, _("this is not an e-mail file."))
        return content
    if lower.endswith(".msg"):
        if not content.startswith(OLE_MAGIC):
            raise _refuse(name, _("this is not an Outlook message file."))
        return _msg_to_mail(name, content)
    raise _refuse(name, _("only .eml and .msg files can be logged."))


def _addresses(values: list[tuple[str, str]]) -> str:
    return ", ".join(formataddr((display, address)) for display, address in values if address)


def _smtp_address(value: Any) -> str:
    _name, address = parseaddr(str(value or ""))
    return address if "@" in address else ""


def _msg_to_mail(name: str, content: bytes) -> bytes:
    import extract_msg  # read only for .msg files: a large library, loaded when needed

    try:
        msg = extract_msg.openMsg(io.BytesIO(content), delayAttachments=False)
    except Exception as error:  # the library raises many kinds for broken compound files
        logger.info("unreadable .msg file: %s", type(error).__name__)
        raise _refuse(name, _("this Outlook message file cannot be read.")) from error
    try:
        return _as_mail(msg).as_bytes()
    except Exception as error:
        logger.info("unreadable .msg content: %s", type(error).__name__)
        raise _refuse(name, _("this Outlook message file cannot be read.")) from error
    finally:
        msg.close()


def _sender(msg: Any) -> tuple[str, str]:
    display = str(msg.getStringStream("__substg1.0_0C1A") or "")
    for stream in ("__substg1.0_5D01", "__substg1.0_0C1F", "__substg1.0_0065"):
        address = _smtp_address(msg.getStringStream(stream))
        if address:
            return display, address
    display_from_header, address = parseaddr(str(msg.sender or ""))
    return display or display_from_header, address if "@" in address else ""


def _recipients(msg: Any) -> dict[str, list[tuple[str, str]]]:
    kinds: dict[str, list[tuple[str, str]]] = {"To": [], "Cc": []}
    for recipient in msg.recipients:
        address = _smtp_address(recipient.email) or _smtp_address(recipient.getStringStream("__substg1.0_39FE"))
        kind = "Cc" if int(getattr(recipient.type, "value", recipient.type) or 1) == 2 else "To"
        if address:
            kinds[kind].append((str(recipient.name or ""), address))
    return kinds


def _as_mail(msg: Any) -> EmailMessage:
    mail = EmailMessage()
    display, address = _sender(msg)
    if address:
        mail["From"] = formataddr((display, address))
    for kind, values in _recipients(msg).items():
        if values:
            mail[kind] = _addresses(values)
    if not mail["To"] and msg.to:
        mail["To"] = str(msg.to)
    mail["Subject"] = str(msg.subject or "").replace("\r", " ").replace("\n", " ")
    if msg.date is not None:
        mail["Date"] = format_datetime(msg.date)
    for header, value in (("Message-ID", msg.messageId), ("In-Reply-To", msg.inReplyTo)):
        if value:
            mail[header] = str(value).strip()
    body = str(msg.body or "")
    html = msg.htmlBody
    mail.set_content(body)
    if html:
        mail.add_alternative(html.decode("utf-8", "replace") if isinstance(html, bytes) else str(html), subtype="html")
    for attachment in msg.attachments:
        data = attachment.data
        if not isinstance(data, bytes):  # an embedded message or an OLE object: not a file to keep
            continue
        filename = str(attachment.longFilename or attachment.shortFilename or "attachment")
        maintype, subtype = (mimetypes.guess_type(filename)[0] or "application/octet-stream").split("/", 1)
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mail
