"""Reading the mail sink's Maildir for the console: the newest messages first, one message with its
text, its sanitised HTML and its attachments, or its raw bytes.

Listing orders the Maildir's keys by delivery time (the file's modification time, which the
delivery sets) and parses only the headers of the page shown, so a long-running sink with thousands
of messages lists as fast as an empty one.
"""

from __future__ import annotations

import mailbox
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses
from pathlib import Path
from typing import cast

import nh3

# Maildir keys are "<seconds>.<unique>.<host>": letters, digits, dots, underscores, dashes, commas.
KEY_PATTERN = re.compile(r"^[A-Za-z0-9._,=-]{1,200}$")
HEADERS_READ = 64 * 1024
ENVELOPE_HEADERS = ("Return-Path", "Delivered-To")


@dataclass(frozen=True)
class Attachment:
    index: int
    filename: str
    content_type: str
    size: int


@dataclass
class Summary:
    key: str
    received_at: datetime
    subject: str = ""
    sender: str = ""
    recipients: list[str] = field(default_factory=list)


@dataclass
class Detail(Summary):
    headers: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    html: str = ""
    attachments: list[Attachment] = field(default_factory=list)


class MessageNotFound(LookupError):
    """No message of that key in the sink."""


class Listing:
    def __init__(self, paths: list[tuple[float, str, Path]]) -> None:
        self.paths = paths

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, window: slice) -> list[Summary]:
        summaries = []
        for mtime, key, path in self.paths[window]:
            try:
                with path.open("rb") as handle:
                    head = handle.read(HEADERS_READ)
            except FileNotFoundError:  # removed since listed
                continue
            head = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
            summaries.append(_summary(key, mtime, message_from_bytes(head, policy=policy.default)))
        return summaries


class Sink:
    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def _maildir(self) -> mailbox.Maildir:
        return mailbox.Maildir(self.directory, create=True)

    def _paths(self) -> list[tuple[float, str, Path]]:
        """(delivery time, key, file) of every delivered message, newest first."""
        found = []
        for folder in ("new", "cur"):
            base = self.directory / folder
            if not base.is_dir():
                continue
            for path in base.iterdir():
                if path.name.startswith("."):
                    continue
                try:
                    found.append((path.stat().st_mtime, path.name.split(":", 1)[0], path))
                except FileNotFoundError:  # removed while listing
                    continue
        found.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return found

    def listing(self) -> Listing:
        """Every message, newest first, for a paginator: only the page taken is parsed."""
        return Listing(self._paths())

    def raw(self, key: str) -> bytes:
        if not KEY_PATTERN.match(key):
            raise MessageNotFound(key)
        try:
            return bytes(self._maildir().get_bytes(key))
        except KeyError:
            raise MessageNotFound(key) from None

    def message(self, key: str) -> Detail:
        raw = self.raw(key)
        parsed = _parse(raw)
        mtime = next((when for when, found, _path in self._paths() if found == key), 0.0)
        summary = _summary(key, mtime, parsed)
        detail = Detail(**summary.__dict__)
        detail.headers = [(name, str(value)) for name, value in parsed.items() if name not in ENVELOPE_HEADERS]
        text = parsed.get_body(preferencelist=("plain",))
        html = parsed.get_body(preferencelist=("html",))
        detail.text = _content(text) if text is not None else ""
        detail.html = nh3.clean(_content(html)) if html is not None else ""
        detail.attachments = [
            Attachment(index, part.get_filename() or "", part.get_content_type(), len(_payload(part)))
            for index, part in _attachments(parsed)
        ]
        return detail

    def attachment(self, key: str, index: int) -> tuple[Attachment, bytes]:
        parsed = _parse(self.raw(key))
        for found, part in _attachments(parsed):
            if found == index:
                payload = _payload(part)
                return Attachment(index, part.get_filename() or "", part.get_content_type(), len(payload)), payload
        raise MessageNotFound(f"{key}/{index}")


def _parse(raw: bytes) -> EmailMessage:
    # With policy.default the parser builds EmailMessage objects (get_body, get_content).
    return cast(EmailMessage, message_from_bytes(raw, policy=policy.default))


def _attachments(message: EmailMessage) -> list[tuple[int, Message]]:
    """The message's attachments (every non-multipart part that is not its text or HTML body), each
    with its position among all parts, which names it in a download link."""
    bodies = {id(part) for part in (message.get_body(preferencelist=(kind,)) for kind in ("plain", "html")) if part}
    return [
        (index, part) for index, part in enumerate(message.walk()) if not part.is_multipart() and id(part) not in bodies
    ]


def _payload(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _content(part: Message) -> str:
    try:
        return str(part.get_content())  # type: ignore[attr-defined]
    except (LookupError, ValueError):  # an unknown or lying charset: show what can be read
        return _payload(part).decode("utf-8", "replace")


def _summary(key: str, mtime: float, message: Message) -> Summary:
    return Summary(
        key=key,
        received_at=datetime.fromtimestamp(mtime, tz=UTC),
        subject=str(message.get("Subject", "")),
        sender=str(message.get("From", "")),
        recipients=[address for _name, address in getaddresses([str(v) for v in message.get_all("Delivered-To", [])])],
    )
