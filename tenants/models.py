"""Tenants, their domains and the audit trail of their lifecycle (all in the public schema)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from tenants.choices import READ_ONLY_STATUSES, MigrationState, ProvisioningState, TenantStatus
from tenants.routing_cache import invalidate as invalidate_routing
from tenants.validators import validate_schema_name, validate_slug


class RoutingQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Updates and deletes retire the cached routing of every web process (tenants.routing_cache):
    a tenant's row is what each request's routing, plan gate and read-only rule read."""

    def update(self, **kwargs: Any) -> int:
        count = super().update(**kwargs)
        invalidate_routing()
        return count

    def delete(self) -> tuple[int, dict[str, int]]:
        result = super().delete()
        invalidate_routing()
        return result


class Tenant(TenantMixin):
    """A subscribing company: one PostgreSQL schema, reached at ``<slug>.<BASE_DOMAIN>``."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.CharField(_("slug"), max_length=40, unique=True, validators=[validate_slug])
    status = models.CharField(_("status"), max_length=20, choices=TenantStatus.choices, default=TenantStatus.TRIAL)
    locale = models.CharField(_("locale"), max_length=10, default="en")
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    enabled_modules = models.JSONField(
        _("enabled modules"),
        default=list,
        blank=True,
        help_text=_("Optional modules this tenant has; the always-on modules are implied."),
    )
    # The plan's limits (billing.entitlements.LIMIT_KEYS → number, or null for none), kept here with
    # the modules so hot paths (the API's daily quota) read them from the row routing already loaded.
    plan_limits = models.JSONField(default=dict, blank=True)
    is_template = models.BooleanField(
        default=False, help_text=_("The hidden template whose schema new tenants are cloned from.")
    )

    provisioning_state = models.CharField(
        max_length=20, choices=ProvisioningState.choices, default=ProvisioningState.REQUESTED
    )
    provisioning_progress = models.PositiveSmallIntegerField(default=0)
    provisioning_error = models.TextField(blank=True)
    provisioning_attempts = models.PositiveIntegerField(default=0)
    # The first administrator, kept only until the seeding step has created the account.
    pending_admin_email = models.EmailField(blank=True)
    pending_admin_password = models.CharField(max_length=255, blank=True)

    # The schema's state in fleet migrations (``tenants.services.fleet_migrations``).
    migration_state = models.CharField(
        max_length=10, choices=MigrationState.choices, default=MigrationState.CURRENT, db_default=MigrationState.CURRENT
    )
    migration_error = models.TextField(blank=True, default="", db_default="")
    migration_started_at = models.DateTimeField(null=True, blank=True)
    migration_finished_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RoutingQuerySet.as_manager()

    # Provisioning creates the schema explicitly (tenants.services.provisioning), never on save.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(schema_name__regex=r"^[a-z][a-z0-9_]{0,62}$"), name="tenant_schema_name_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        validate_schema_name(self.schema_name)

    @property
    def is_read_only(self) -> bool:
        return self.status in READ_ONLY_STATUSES

    @property
    def is_ready(self) -> bool:
        return self.provisioning_state == ProvisioningState.ACTIVE

    @property
    def primary_host(self) -> str:
        return f"{self.slug}.{settings.BASE_DOMAIN}"


class Domain(DomainMixin):
    """A host name that routes to a tenant."""

    objects = RoutingQuerySet.as_manager()

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


class TenantStatusChange(models.Model):
    """One audited lifecycle transition of a tenant."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=TenantStatus.choices)
    to_status = models.CharField(max_length=20, choices=TenantStatus.choices)
    actor = models.CharField(max_length=254, help_text=_("Who or what made the change (e-mail or system:<name>)."))
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.tenant}: {self.from_status} → {self.to_status}"


class ErasedRecord(models.Model):
    """A record a data-subject erasure removed from a tenant's schema, kept in the shared schema so
    that it outlives a restore of the tenant: restoring a backup made before the erasure erases the
    record again (``tenants.services.erasures``). It names the record by kind and id only: no
    personal data is kept here."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="erased_records")
    kind = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    erased_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["erased_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kind", "record_id"], name="tenants_erased_record_once"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant}: {self.kind} {self.record_id}"


class SpareSchema(models.Model):
    """A tenant schema cloned from the template in advance, not yet anyone's
    (``tenants.services.spare_schemas``). It is not a tenant: nothing routes to it and no tenant
    list shows it. A signup takes one by renaming it to the new tenant's schema; the row goes in
    the same transaction, and the row lock keeps two signups off the same spare."""

    schema_name = models.CharField(max_length=63, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(schema_name__regex=r"^spare__[a-z0-9_]{1,56}$"), name="spare_schema_name_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.schema_name


def _routing_changed(sender: type[models.Model], **kwargs: Any) -> None:
    invalidate_routing()


for _model in (Tenant, Domain):
    post_save.connect(_routing_changed, sender=_model, dispatch_uid=f"routing-cache-save-{_model.__name__}")
    post_delete.connect(_routing_changed, sender=_model, dispatch_uid=f"routing-cache-delete-{_model.__name__}")
