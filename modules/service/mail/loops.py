"""Mail that a machine wrote must neither open a case nor be answered (RFC 3834), or two robots
answer each other for ever: auto-replies, bounces, mailing lists, and the tenant's own addresses."""

from __future__ import annotations

from collections.abc import Collection

from core.mail.parsing import ParsedMail

ROBOT_LOCAL_PARTS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"})
BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})


def automatic_reason(mail: ParsedMail, own_addresses: Collection[str]) -> str:
    """Why ``mail`` is automatic (empty: a person wrote it)."""
    headers = mail.headers
    auto_submitted = headers["Auto-Submitted"].split(";", 1)[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = headers["Precedence"].strip().lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond"):
        if headers[name]:
            return f"{name} present"
    if mail.is_report or headers["Content-Type"].lower().startswith("multipart/report"):
        return "delivery or read report"
    if headers["Return-Path"].strip() in ("<>", "< >"):
        return "empty Return-Path (bounce)"
    local_part = mail.from_address.split("@", 1)[0]
    if local_part in ROBOT_LOCAL_PARTS:
        return f"sent by {local_part}"
    if mail.from_address in own_addresses:
        return "sent by a support address of this workspace"
    return ""
