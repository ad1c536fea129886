"""Sending an e-mail written in the CRM through the writer's Microsoft 365 / Outlook.com mailbox,
so the Message-ID, In-Reply-To and References the CRM made are kept (replies thread) and Exchange
saves it in the user's Sent Items, where the next sync finds it as the message already stored.

Graph refuses a request over 4 MB. A message of at most 3 MB of MIME (base64 adds a third) goes in
one ``POST /me/sendMail`` (MIME in base64, ``text/plain``). A larger one takes Graph's documented
way for large attachments: a draft made from the MIME of the message with the attachments that
fit (``POST /me/messages``, same encoding, headers kept), each remaining file added to the draft —
under 3 MB by ``POST /me/messages/{id}/attachments``, else through an upload session
(``attachments/createUploadSession``, then the bytes ``PUT`` to the session's ``uploadUrl`` in
ranges of at most 4 MB, without the bearer token: the URL carries its own) —, then
``POST /me/messages/{id}/send``. A draft whose upload failed is deleted, so a retry starts over."""

from __future__ import annotations

import base64
import contextlib
import copy
from dataclasses import dataclass
from email.mime.base import MIMEBase

import requests
from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

from modules.mailboxes.models import Mailbox
from modules.mailboxes.services.connection import MailboxError
from modules.oauth_accounts.choices import AccountState
from modules.oauth_accounts.graph import GraphClient, GraphError
from modules.oauth_accounts.services.tokens import TIMEOUT, OAuthError

# Graph refuses a request over 4 MB (base64 included): 3 MB of MIME or of a file per request.
MAX_MIME_BYTES = 3 * 1024 * 1024
MAX_UPLOAD_BYTES = 150 * 1024 * 1024  # an upload session's limit per file
UPLOAD_RANGE = 10 * 320 * 1024  # bytes per PUT: a multiple of 320 KiB, under the 4 MB request limit


@dataclass(frozen=True)
class _File:
    name: str
    content: bytes
    content_type: str


def can_send_through_graph(mailbox: Mailbox) -> bool:
    account = mailbox.oauth_account
    return account is not None and account.state != AccountState.REVOKED


def _mime(email: EmailMessage) -> bytes:
    return email.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]  # Django's MIME classes take it


def send_through_graph(mailbox: Mailbox, email: EmailMessage) -> str:
    """Send ``email`` (From the mailbox's address); "" (Exchange keeps the Sent Items copy itself).
    Raises ``MailboxError`` with a message for the sender when it was not sent."""
    if mailbox.oauth_account is None:
        raise MailboxError(_("The mailbox's account is not connected: connect it again."))
    raw = _mime(email)
    try:
        client = GraphClient(mailbox.oauth_account)
        if len(raw) <= MAX_MIME_BYTES:
            client.request("POST", "me/sendMail", data=base64.b64encode(raw), headers={"Content-Type": "text/plain"})
        else:
            _send_large(client, email)
    except OAuthError as error:
        raise MailboxError(str(error)) from error
    return ""


def _split(email: EmailMessage) -> tuple[EmailMessage, list[_File]]:
    """The message with the attachments its MIME can hold within ``MAX_MIME_BYTES`` (in order),
    and the files left to add to the draft."""
    kept = copy.copy(email)
    kept.attachments = []
    rest: list[_File] = []
    for item in email.attachments:
        if isinstance(item, MIMEBase):  # a part built by hand: it stays in the MIME
            kept.attachments.append(item)
            continue
        name, content, content_type = item
        data = content.encode() if isinstance(content, str) else bytes(content)
        kept.attachments.append(item)
        if rest or len(_mime(kept)) > MAX_MIME_BYTES:
            kept.attachments.pop()
            rest.append(_File(str(name or "attachment"), data, str(content_type or "application/octet-stream")))
    return kept, rest


def _send_large(client: GraphClient, email: EmailMessage) -> None:
    kept, files = _split(email)
    raw = _mime(kept)
    if len(raw) > MAX_MIME_BYTES:
        raise MailboxError(_("The message's text is too large to send through Microsoft 365."))
    if any(len(item.content) > MAX_UPLOAD_BYTES for item in files):
        raise MailboxError(_("Microsoft 365 takes files of at most 150 MB."))
    draft = client.json("POST", "me/messages", data=base64.b64encode(raw), headers={"Content-Type": "text/plain"})
    draft_id = str(draft.get("id") or "")
    if not draft_id:
        raise GraphError(_("Microsoft Graph did not say which draft it made."))
    try:
        for item in files:
            if len(item.content) < MAX_MIME_BYTES:
                client.request("POST", f"me/messages/{draft_id}/attachments", json={
                    "@odata.type": "#microsoft.graph.fileAttachment", "name": item.name,
                    "contentType": item.content_type, "contentBytes": base64.b64encode(item.content).decode(),
                })  # fmt: skip
            else:
                _upload(client, draft_id, item)
        client.request("POST", f"me/messages/{draft_id}/send")
    except BaseException:
        # Should the delete fail, the draft stays in Drafts: the error that stopped the send is the one to report.
        with contextlib.suppress(OAuthError):
            client.request("DELETE", f"me/messages/{draft_id}")
        raise


def _upload(client: GraphClient, draft_id: str, item: _File) -> None:
    session = client.json("POST", f"me/messages/{draft_id}/attachments/createUploadSession", json={
        "AttachmentItem": {"attachmentType": "file", "name": item.name, "size": len(item.content),
                           "contentType": item.content_type},
    })  # fmt: skip
    url = str(session.get("uploadUrl") or "")
    if not url.startswith(("https://", "http://")):
        raise GraphError(_("Microsoft Graph did not give an upload address."))
    size = len(item.content)
    for start in range(0, size, UPLOAD_RANGE):
        chunk = item.content[start : start + UPLOAD_RANGE]
        headers = {"Content-Type": "application/octet-stream",
                   "Content-Range": f"bytes {start}-{start + len(chunk) - 1}/{size}"}  # fmt: skip
        try:
            # No Authorization header: the upload URL carries its own token, Graph refuses both.
            response = requests.put(url, data=chunk, headers=headers, timeout=TIMEOUT)
        except requests.RequestException as error:
            raise GraphError(
                _("Microsoft Graph could not be reached (%(error)s).") % {"error": type(error).__name__}
            ) from error
        if response.status_code not in (200, 201):
            raise GraphError(
                _("Microsoft Graph refused the upload (%(status)s).") % {"status": response.status_code},
                response.status_code,
            )
