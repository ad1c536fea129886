"""The tenant lifecycle as a state machine; every transition is audited."""

from django.db import transaction

from tenants.choices import TenantStatus
from tenants.models import Tenant, TenantStatusChange

S = TenantStatus
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.TRIAL: frozenset({S.ACTIVE, S.PAST_DUE, S.SUSPENDED, S.CANCELLED}),
    S.ACTIVE: frozenset({S.PAST_DUE, S.SUSPENDED, S.CANCELLED}),
    S.PAST_DUE: frozenset({S.ACTIVE, S.SUSPENDED, S.CANCELLED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.CANCELLED}),
    S.CANCELLED: frozenset({S.ACTIVE, S.DELETED}),
    S.DELETED: frozenset(),
}


class InvalidTransition(Exception):
    def __init__(self, from_status: str, to_status: str) -> None:
        super().__init__(f"A tenant cannot go from {from_status} to {to_status}.")
        self.from_status = from_status
        self.to_status = to_status


def transition_tenant(tenant: Tenant, to_status: str, *, actor: str, reason: str = "") -> Tenant:
    """Move ``tenant`` to ``to_status`` if the lifecycle allows it, recording who and why."""
    if to_status not in S.values:
        raise InvalidTransition(tenant.status, to_status)
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        if to_status not in ALLOWED_TRANSITIONS[locked.status]:
            raise InvalidTransition(locked.status, to_status)
        TenantStatusChange.objects.create(
            tenant=locked, from_status=locked.status, to_status=to_status, actor=actor, reason=reason
        )
        locked.status = to_status
        locked.save(update_fields=["status", "updated_at"])
    tenant.status = to_status
    return tenant
