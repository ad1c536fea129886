"""The audit trail of the current schema (tenant or public): append-only entries people can review."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from identity.audit_context import request_actor
from identity.models import AuditEntry

if TYPE_CHECKING:
    from identity.models import User


def record_audit(
    action: str,
    summary: str,
    *,
    actor: str,
    actor_kind: str = AuditEntry.ActorKind.USER,
    target: str = "",
    details: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """Append an entry to the audit log of the schema the connection is on."""
    return AuditEntry.objects.create(
        action=action,
        summary=summary[:500],
        actor=actor[:254],
        actor_kind=actor_kind,
        target=target[:200],
        details=details or {},
        ip_address=ip_address or None,
    )


def audit(
    action: str,
    summary: str,
    *,
    by: User | None = None,
    system: str = "",
    target: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """The entry a service writes for an admin or security action it just made.

    The actor is ``by`` when the service knows it, else the request's signed-in user, else
    ``system:<system>`` (a task or command). A support operator acting as the user is named as
    the actor, with the user in the details, as the impersonation entries do. The address is the
    request's client, when there is a request."""
    current = request_actor()
    details = dict(details or {})
    ip_address = current.ip_address if current is not None else None
    if current is not None and current.operator and (by is None or by.email == current.email):
        details["as_user"] = current.email
        return record_audit(
            action,
            summary,
            actor=current.operator,
            actor_kind=AuditEntry.ActorKind.OPERATOR,
            target=target,
            details=details,
            ip_address=ip_address,
        )
    if by is not None:
        actor, kind = by.email, AuditEntry.ActorKind.USER
    elif current is not None:
        actor, kind = current.email, AuditEntry.ActorKind.USER
    else:
        actor, kind = f"system:{system or 'platform'}", AuditEntry.ActorKind.SYSTEM
    return record_audit(
        action, summary, actor=actor, actor_kind=kind, target=target, details=details, ip_address=ip_address
    )
