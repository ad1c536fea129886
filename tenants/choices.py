from django.db import models
from django.utils.translation import gettext_lazy as _


class MigrationState(models.TextChoices):
    """Where a tenant's schema stands in the last fleet migration; a failed tenant never blocks
    the others, and the next run (or a retry from the console) resumes it."""

    CURRENT = "current", _("Up to date")
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Migrating")
    FAILED = "failed", _("Failed")
    RESTORING = "restoring", _("Restoring from a backup")


# A tenant in these states answers with a maintenance page: its schema is not what the code expects.
MAINTENANCE_STATES = frozenset({MigrationState.RUNNING, MigrationState.FAILED, MigrationState.RESTORING})


class TenantStatus(models.TextChoices):
    """Commercial lifecycle of a tenant (driven by billing and the operator)."""

    TRIAL = "trial", _("Trial")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Past due")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")
    DELETED = "deleted", _("Deleted")


class ProvisioningState(models.TextChoices):
    """Where the building of a tenant's schema stands; each state is a resumable checkpoint."""

    REQUESTED = "requested", _("Requested")
    SCHEMA_READY = "schema_ready", _("Schema ready")
    SEEDED = "seeded", _("Seeded")
    ACTIVE = "active", _("Active")


# Tenants in these states can be read but not changed.
READ_ONLY_STATUSES = frozenset({TenantStatus.SUSPENDED, TenantStatus.CANCELLED})
# Tenants in these states are not served at all.
CLOSED_STATUSES = frozenset({TenantStatus.DELETED})
