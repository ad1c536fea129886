"""Raw e-mail bytes to what the intake needs, with the standard library's ``email`` package.

The message is split into its parts once with the ``compat32`` policy, which keeps header values as
the raw text they were sent as; only the headers read here are decoded (RFC 2047 encoded words,
folding), and only the text parts and attachments are decoded from their transfer encoding.
``policy.default`` would build a structured header object for every header of every part (its
header registry parses each address list, date and Content-Type): about two thirds of the CPU of a
first mailbox sync went there for values never read.

Nothing here raises for bad input: broken MIME, NUL bytes, huge headers and unknown charsets give
the best reading there is (``ParsedMail.defects`` says what was wrong), so an e-mail is never half
taken in."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.header import Header, decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

# Bounds on what is kept (the database columns and a sane reading): longer values are cut.
MAX_SUBJECT = 300
MAX_ID = 998
MAX_IDS = 100
MAX_TEXT = 1_000_000
MAX_ADDRESSES = 100
MESSAGE_ID = re.compile(r"<[^<>\s]{1,990}>")
FOLDING = re.compile(r"\r?\n(?=[ \t])")


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


def _unfold(value: str) -> str:
    return FOLDING.sub("", value)


def _decoded_words(value: str | Header) -> str:
    """A raw header value with its RFC 2047 encoded words decoded; an unknown charset or broken
    encoding gives replacement characters, 8-bit bytes (no encoded words) are read as UTF-8, else
    Windows-1252."""
    try:
        parts = decode_header(value)
    except Exception:  # a malformed encoded word: keep the raw text
        return str(value)
    texts = []
    for chunk, charset in parts:
        if isinstance(chunk, str):
            texts.append(chunk)
            continue
        if charset in (None, "unknown-8bit"):
            try:
                texts.append(chunk.decode("utf-8"))
            except UnicodeDecodeError:
                texts.append(chunk.decode("cp1252", errors="replace"))
            continue
        try:
            texts.append(chunk.decode(charset, errors="replace"))
        except LookupError:
            texts.append(chunk.decode("utf-8", errors="replace"))
    return "".join(texts)


def _raw_header(message: Message, name: str) -> str | Header | None:
    try:
        return message.get(name)
    except Exception:
        return None


def _header(message: Message, name: str) -> str:
    """The header as text (decoded, unfolded, spaces collapsed), "" when it is missing."""
    value = _raw_header(message, name)
    if value is None:
        return ""
    text = _decoded_words(_unfold(value) if isinstance(value, str) else value)
    return clean(" ".join(text.split()), 4000)


def _ids(value: str) -> list[str]:
    return MESSAGE_ID.findall(value)[-MAX_IDS:]


def _raw_values(message: Message, name: str) -> list[str]:
    try:
        raw = message.get_all(name, failobj=[])
    except Exception:
        raw = []
    return [_unfold(item) if isinstance(item, str) else _decoded_words(item) for item in raw]


def _addresses(message: Message, *names: str) -> list[str]:
    # Address lists are split before any encoded word is decoded: a decoded display name may hold
    # a comma or angle brackets, the addresses themselves are never encoded.
    values = [value for name in names for value in _raw_values(message, name)]
    found = []
    for _name, address in getaddresses(values):
        address = clean(address.strip().lower(), 254)
        if "@" in address and address not in found:
            found.append(address)
    return found[:MAX_ADDRESSES]


def _sender(message: Message) -> tuple[str, str]:
    values = _raw_values(message, "From")
    if not values:
        return "", ""
    name, address = parseaddr(values[0])
    display = " ".join(_decoded_words(name).split())
    return clean(address.strip().lower(), 254), clean(display, 200)


def _decoded_text(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        return ""
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _attachment_name(part: Message, index: int) -> str:
    try:
        name = _decoded_words(part.get_filename() or "")
    except Exception:
        name = ""
    name = clean(" ".join(name.split()).replace("\\", "/").rsplit("/", 1)[-1].strip(), 200)
    return name or f"attachment-{index}"


def _encoded_size(part: Message) -> int:
    """An upper bound of a part's decoded size read from its encoded payload, so an attachment far
    over the limit is never decoded."""
    payload = part.get_payload()
    if not isinstance(payload, str):
        return 0
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    return len(payload) * 3 // 4 if encoding == "base64" else len(payload)


def _forwarded_name(part: Message, inner: Message, index: int) -> str:
    """The file name of a forwarded message: its own if it has one, else its subject, ``.eml``."""
    with_name = _attachment_name(part, index) if part.get_filename() else ""
    if with_name:
        return with_name if with_name.lower().endswith(".eml") else f"{with_name}.eml"
    subject = re.sub(r'[\\/:*?"<>|]+', " ", _header(inner, "Subject"))
    stem = clean(" ".join(subject.split()), 150).strip(" .") or f"forwarded-message-{index}"
    return f"{stem}.eml"


def _forwarded(part: Message, mail: ParsedMail, max_attachment: int, index: int) -> None:
    """A ``message/rfc822`` part (a message forwarded as an attachment) kept whole as an ``.eml``
    file, so a user opens it in their mail program; its text is not the forwarding message's."""
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return
    name = _forwarded_name(part, inner, index)
    if max_attachment <= 0:
        mail.oversized_attachments.append(name)
        return
    try:
        content = inner.as_bytes(policy=policy.compat32)
    except Exception:  # a structure the generator cannot write back: name it, keep the rest
        mail.defects.append(f"unwritable forwarded message {name}")
        return
    if len(content) > max_attachment:
        mail.oversized_attachments.append(name)
        return
    mail.attachments.append(ParsedAttachment(name, "message/rfc822", content))


def _walk(message: Message, mail: ParsedMail, max_attachment: int) -> None:
    texts: list[str] = []
    htmls: list[str] = []
    inside_forwarded: set[int] = set()
    for index, part in enumerate(message.walk()):
        if id(part) in inside_forwarded:
            continue  # kept whole with the forwarded message it belongs to
        content_type = part.get_content_type()
        if content_type in ("message/delivery-status", "message/disposition-notification"):
            mail.is_report = True
        if content_type == "message/rfc822" and part is not message:
            inside_forwarded.update(id(inner) for inner in part.walk() if inner is not part)
            _forwarded(part, mail, max_attachment, index)
            continue
        if part.is_multipart():
            continue
        disposition = (part.get_content_disposition() or "").lower()
        is_body = disposition != "attachment" and content_type in ("text/plain", "text/html")
        if is_body and not part.get_filename():
            (texts if content_type == "text/plain" else htmls).append(_decoded_text(part))
            continue
        if content_type.startswith("message/"):
            continue  # a report's machine-readable part (message/delivery-status and the like)
        name = _attachment_name(part, index)
        if _encoded_size(part) > max_attachment * 4 // 3 + 1024:
            mail.oversized_attachments.append(name)
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes | bytearray):
            continue
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
        message = message_from_bytes(raw, policy=policy.compat32)
    except Exception:  # the feed parser gave up (it rarely does): keep the headers at least
        message = message_from_bytes(raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0], policy=policy.compat32)
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
