"""Raw e-mail bytes to what the intake needs, with the standard library's ``email`` package
(``policy.default``). Nothing here raises for bad input: broken MIME, NUL bytes, huge headers and
unknown charsets give the best reading there is (``ParsedMail.defects`` says what was wrong), so an
e-mail is never half taken in."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

# Bounds on what is kept (the database columns and a sane reading): longer values are cut.
MAX_SUBJECT = 300
MAX_ID = 998
MAX_IDS = 100
MAX_TEXT = 1_000_000
MAX_ADDRESSES = 100
MESSAGE_ID = re.compile(r"<[^<>\s]{1,990}>")


@dataclass
class ParsedAttachment:
    name: str
    content_type: str
    content: bytes


@dataclass
class ParsedMail:
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    subject: str
    from_address: str
    from_name: str
    to: list[str]
    cc: list[str]
    text: str
    html: str
    attachments: list[ParsedAttachment]
    headers: dict[str, str]
    is_report: bool
    thread_key: str
    oversized_attachments: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)

    @property
    def thread_ids(self) -> list[str]:
        """The ids this message answers, nearest first (In-Reply-To, then References from the end)."""
        seen: dict[str, None] = {}
        for message_id in [*self.in_reply_to, *reversed(self.references)]:
            seen.setdefault(message_id, None)
        return list(seen)


def sent_date(mail: ParsedMail, *, fallback: datetime, latest: datetime) -> datetime:
    """The Date header as an aware datetime, or ``fallback`` when it is missing, unreadable, before
    1970 or after ``latest`` (a sender's clock far in the future must not pin a thread on top)."""
    try:
        value = parsedate_to_datetime(mail.headers.get("Date", ""))
    except (TypeError, ValueError, IndexError, OverflowError):
        return fallback
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if value.year < 1970 or value > latest:
        return fallback
    return value


def clean(value: str, limit: int) -> str:
    """No NUL or other C0 control characters but tab and newlines; at most ``limit`` characters."""
    value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", value)
    return value[:limit]


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header policy.default cannot parse: fall back to its raw text
        raw = message.get_all(name, failobj=None) if hasattr(message, "get_all") else None
        value = raw[0] if raw else None
    if value is None:
        return ""
    try:
        text = str(value)
    except Exception:
        text = repr(value)
    return clean(" ".join(text.split()), 4000)


def _ids(value: str) -> list[str]:
    return MESSAGE_ID.findall(value)[-MAX_IDS:]


def _addresses(message: Message, *names: str) -> list[str]:
    values: list[str] = []
    for name in names:
        try:
            raw = message.get_all(name, failobj=[])
        except Exception:
            raw = []
        values.extend(str(item) for item in raw)
    found = []
    for _name, address in getaddresses(values):
        address = clean(address.strip().lower(), 254)
        if "@" in address and address not in found:
            found.append(address)
    return found[:MAX_ADDRESSES]


def _sender(message: Message) -> tuple[str, str]:
    raw = _header(message, "From")
    try:
        header = message["From"]
        addresses: tuple[Address, ...] = getattr(header, "addresses", ())
        if addresses:
            first = addresses[0]
            return clean(first.addr_spec.lower(), 254), clean(first.display_name, 200)
    except Exception:  # noqa: S110 - parseaddr below reads what the policy could not
        pass
    name, address = parseaddr(raw)
    return clean(address.lower(), 254), clean(name, 200)


def _decoded_text(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except Exception:  # noqa: S110 - unknown charset, broken transfer encoding: decoded by hand below
        pass
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _attachment_name(part: Message, index: int) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    name = clean(name.replace("\\", "/").rsplit("/", 1)[-1].strip(), 200)
    return name or f"attachment-{index}"


def _walk(message: Message, mail: ParsedMail, max_attachment: int) -> None:
    texts: list[str] = []
    htmls: list[str] = []
    for index, part in enumerate(message.walk()):
        content_type = part.get_content_type()
        if content_type in ("message/delivery-status", "message/disposition-notification"):
            mail.is_report = True
        if part.is_multipart():
            continue
        disposition = (part.get_content_disposition() or "").lower()
        is_body = disposition != "attachment" and content_type in ("text/plain", "text/html")
        if is_body and not part.get_filename():
            (texts if content_type == "text/plain" else htmls).append(_decoded_text(part))
            continue
        if content_type.startswith("message/") and content_type != "message/rfc822":
            continue
        payload = part.get_payload(decode=True)
        if content_type == "message/rfc822":
            inner = part.get_payload()
            payload = (
                inner[0].as_bytes() if isinstance(inner, list) and inner and isinstance(inner[0], Message) else payload
            )
        if not isinstance(payload, bytes | bytearray):
            continue
        name = _attachment_name(part, index)
        if len(payload) > max_attachment:
            mail.oversized_attachments.append(name)
            continue
        mail.attachments.append(ParsedAttachment(name, clean(content_type, 100), bytes(payload)))
    mail.text = clean("\n\n".join(t for t in texts if t.strip()), MAX_TEXT)
    mail.html = clean("\n".join(htmls), MAX_TEXT)


def thread_key(thread_index: str) -> str:
    """Outlook's Thread-Index is base64 of a 22-byte header (time and a GUID: the conversation)
    plus 5 bytes per reply; the header's base64 names the conversation."""
    try:
        data = base64.b64decode(thread_index.strip(), validate=False)
    except (binascii.Error, ValueError):
        return ""
    if len(data) < 22:
        return ""
    return base64.b64encode(data[:22]).decode("ascii")


LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,2}$")


def content_language(mail: ParsedMail) -> str:
    """The first language tag of the mail's Content-Language (Outlook and others write it), or ""."""
    first = mail.headers.get("Content-Language", "").split(",")[0].strip()
    return first[:10] if LANGUAGE_TAG.match(first) else ""


def parse_mail(raw: bytes, *, max_attachment: int) -> ParsedMail:
    """Read ``raw`` (an RFC 5322 message). A message without a Message-ID gets one made from the
    digest of its bytes, so the same message read twice is the same message."""
    defects: list[str] = []
    if b"\x00" in raw:
        raw = raw.replace(b"\x00", b"")
        defects.append("NUL bytes removed")
    message: Message
    try:
        message = message_from_bytes(raw, policy=policy.default)
    except Exception:  # the parser itself gave up: the compat policy is more forgiving
        message = message_from_bytes(raw, policy=policy.compat32)
        defects.append("unparseable MIME structure")
    digest = hashlib.sha256(raw).hexdigest()
    own_ids = _ids(_header(message, "Message-ID"))
    message_id = own_ids[0] if own_ids else f"<{digest}@no-message-id.invalid>"
    sender, sender_name = _sender(message)
    headers = {
        name: _header(message, name)
        for name in (
            "Auto-Submitted", "Precedence", "X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress",
            "Return-Path", "X-Loop", "Thread-Index", "Content-Type", "Date", "Content-Language",
        )
    }  # fmt: skip
    mail = ParsedMail(
        message_id=message_id[:MAX_ID],
        in_reply_to=_ids(_header(message, "In-Reply-To")),
        references=_ids(_header(message, "References")),
        subject=clean(_header(message, "Subject"), MAX_SUBJECT),
        from_address=sender,
        from_name=sender_name,
        to=_addresses(message, "To"),
        cc=_addresses(message, "Cc"),
        text="",
        html="",
        attachments=[],
        headers=headers,
        is_report=message.get_content_type() == "multipart/report",
        thread_key=thread_key(headers["Thread-Index"]) if headers["Thread-Index"] else "",
        defects=defects,
    )
    try:
        _walk(message, mail, max_attachment)
    except Exception as error:  # a structure the walker cannot follow: keep what the top says
        mail.defects.append(f"unreadable body: {type(error).__name__}")
        mail.text = mail.text or clean(_decoded_text(message) if not message.is_multipart() else "", MAX_TEXT)
    mail.defects.extend(type(defect).__name__ for defect in getattr(message, "defects", [])[:20])
    return mail
