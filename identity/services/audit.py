"""The audit trail of the current schema (tenant or public): append-only entries people can review."""

from __future__ import annotations

from typing import Any

from identity.models import AuditEntry


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
