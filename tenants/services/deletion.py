"""Deleting a tenant's data for good at the end of its retention period.

The tenant row stays, with its status history and billing records: what is gone is what the
customer stored (the schema, the private files) and the ways in (the domains).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from identity.models import AuditEntry
from identity.services.audit import record_audit
from tenants.choices import TenantStatus
from tenants.models import Domain, Tenant
from tenants.services.lifecycle import transition_tenant
from tenants.services.provisioning import drop_schema

logger = logging.getLogger(__name__)
PURGEABLE_STATUSES = frozenset({TenantStatus.CANCELLED, TenantStatus.DELETED})


def purge_tenant(tenant: Tenant, *, actor: str, reason: str) -> Tenant:
    """Mark a cancelled tenant deleted, remove its domains, schema and private files.

    Safe to call again on a deleted tenant (it finishes what an interrupted run left).
    """
    tenant.refresh_from_db()
    if tenant.is_template or tenant.schema_name == get_public_schema_name():
        raise ValidationError({"tenant": [_("This tenant cannot be deleted.")]})
    if tenant.status not in PURGEABLE_STATUSES:
        raise ValidationError({"tenant": [_("Only a cancelled tenant can be deleted.")]})
    with schema_context(get_public_schema_name()), transaction.atomic():
        if tenant.status != TenantStatus.DELETED:
            transition_tenant(tenant, TenantStatus.DELETED, actor=actor, reason=reason)
        domains = list(Domain.objects.filter(tenant=tenant).values_list("domain", flat=True))
        Domain.objects.filter(tenant=tenant).delete()
        drop_schema(tenant.schema_name)
        record_audit(
            "tenant.deleted",
            f"Deleted the data of {tenant.name} ({tenant.slug})",
            actor=actor,
            actor_kind=AuditEntry.ActorKind.SYSTEM if actor.startswith("system:") else AuditEntry.ActorKind.OPERATOR,
            target=f"tenant:{tenant.slug}",
            details={"reason": reason, "schema": tenant.schema_name, "domains": domains},
        )
    # Files are not transactional: removed once the database says the tenant is gone.
    removed = delete_private_files(tenant.schema_name)
    logger.info("tenant %s deleted (%s); %s private folders removed", tenant.slug, reason, removed)
    return tenant


def delete_private_files(schema_name: str) -> int:
    """Remove ``PRIVATE_FILES_ROOT/<kind>/<schema_name>/`` for every kind (imports, exports, ...)."""
    root = Path(settings.PRIVATE_FILES_ROOT)
    if not root.is_dir() or not schema_name or "/" in schema_name or schema_name.startswith("."):
        return 0
    removed = 0
    for kind in root.iterdir():
        folder = kind / schema_name
        if kind.is_dir() and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder)
            removed += 1
    return removed
