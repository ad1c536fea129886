"""Provisioning: a resumable state machine that turns a request into a working tenant.

    requested ──schema──▶ schema_ready ──seed──▶ seeded ──activate──▶ active

Each step is idempotent and leaves a checkpoint, so a retry resumes where the last attempt
stopped. A failed schema step drops what it built; seeding and activation are single
transactions. The domain is attached only in the last step, so a tenant is never reachable
half-built. One advisory lock per tenant keeps two workers off the same tenant, and one global
lock serializes schema clones (django-tenants' clone function is not safe to run concurrently).
The schema step renames a spare schema cloned in advance when the pool has one
(``tenants.services.spare_schemas``), and clones the template only when it has none.
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_context, schema_exists, tenant_context

from tenants.choices import ProvisioningState, TenantStatus
from tenants.db import tenant_connection
from tenants.models import Domain, Tenant
from tenants.services import schema_migrations
from tenants.validators import SCHEMA_NAME_PATTERN, schema_name_for_slug, validate_schema_name, validate_slug

logger = logging.getLogger(__name__)

UNDROPPABLE_SCHEMAS = frozenset({"public", "information_schema"})
CLONE_LOCK_KEY = 0x52454C41  # "RELA": serializes clone_schema() across processes
CLONE_FUNCTION_SIGNATURE = "public.clone_schema(text, text, public.cloneparms[])"
PROGRESS: dict[str, int] = {
    ProvisioningState.REQUESTED: 5,
    ProvisioningState.SCHEMA_READY: 60,
    ProvisioningState.SEEDED: 90,
    ProvisioningState.ACTIVE: 100,
}


class ProvisioningBusy(Exception):
    """Another worker holds this tenant's provisioning lock."""


@dataclass(frozen=True)
class TenantRequest:
    name: str
    slug: str
    admin_email: str
    admin_password: str | None = None
    locale: str = "en"
    currency: str = "EUR"
    time_zone: str = "UTC"
    status: str = TenantStatus.TRIAL
    enabled_modules: tuple[str, ...] = ()


def request_tenant(request: TenantRequest) -> Tenant:
    """Validate and record a tenant request; nothing is built yet. Raises ValidationError."""
    from identity.locales import is_supported_locale
    from identity.services.accounts import normalize_email

    errors: dict[str, list[str]] = {}
    schema_name = schema_name_for_slug(request.slug or "")
    for field, validator, value in (
        ("slug", validate_slug, request.slug),
        ("slug", validate_schema_name, schema_name),
    ):
        try:
            validator(value)
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)
    if not (request.name or "").strip():
        errors.setdefault("name", []).append(_("A company name is required."))
    email = normalize_email(request.admin_email or "")
    if "@" not in email:
        errors.setdefault("admin_email", []).append(_("Enter a valid e-mail address."))
    if not is_supported_locale(request.locale):
        errors.setdefault("locale", []).append(_("Unsupported language “%(locale)s”.") % {"locale": request.locale})
    if not errors and (
        Tenant.objects.filter(slug=request.slug).exists() or Tenant.objects.filter(schema_name=schema_name).exists()
    ):
        errors.setdefault("slug", []).append(_("“%(slug)s” is already taken.") % {"slug": request.slug})
    if errors:
        raise ValidationError(errors)
    return Tenant.objects.create(
        name=request.name.strip(),
        slug=request.slug,
        schema_name=schema_name,
        status=request.status,
        locale=request.locale,
        currency=request.currency,
        time_zone=request.time_zone,
        enabled_modules=list(request.enabled_modules),
        pending_admin_email=email,
        pending_admin_password=make_password(request.admin_password) if request.admin_password else "",
    )


def provision_tenant(tenant_id: int) -> Tenant:
    """Run the remaining steps for ``tenant_id``; safe to call again after any failure."""
    with _tenant_lock(tenant_id):
        tenant = Tenant.objects.get(pk=tenant_id)
        Tenant.objects.filter(pk=tenant_id).update(provisioning_attempts=tenant.provisioning_attempts + 1)
        try:
            if tenant.provisioning_state == ProvisioningState.REQUESTED:
                _build_schema(tenant)
                _checkpoint(tenant, ProvisioningState.SCHEMA_READY)
            if tenant.provisioning_state == ProvisioningState.SCHEMA_READY:
                with transaction.atomic():
                    _seed(tenant)
                    _checkpoint(tenant, ProvisioningState.SEEDED)
            if tenant.provisioning_state == ProvisioningState.SEEDED:
                with transaction.atomic():
                    _activate(tenant)
                    _checkpoint(tenant, ProvisioningState.ACTIVE)
        except Exception as error:
            tenant_connection().set_schema_to_public()
            Tenant.objects.filter(pk=tenant_id).update(provisioning_error=f"{type(error).__name__}: {error}")
            logger.exception("provisioning of tenant %s failed at %s", tenant.slug, tenant.provisioning_state)
            raise
        return tenant


def _checkpoint(tenant: Tenant, state: str) -> None:
    tenant_connection().set_schema_to_public()
    tenant.provisioning_state = state
    tenant.provisioning_progress = PROGRESS[state]
    tenant.provisioning_error = ""
    tenant.save(update_fields=["provisioning_state", "provisioning_progress", "provisioning_error", "updated_at"])


def _build_schema(tenant: Tenant) -> None:
    """Create the tenant's schema with every tenant migration applied, or leave no schema."""
    validate_schema_name(tenant.schema_name)
    from tenants.services.spare_schemas import pool_size

    template = template_schema() if settings.TENANT_PROVISIONING_METHOD == "clone" else None
    spares = template is not None and pool_size() > 0
    build_schema(tenant.schema_name, clone_from=template, from_spare=spares)
    if spares:
        # Replaces the spare just taken, or fills a pool this signup found empty.
        queue_spare_refill()


def build_schema(schema_name: str, *, clone_from: str | None, from_spare: bool = False) -> None:
    """Take a spare schema (``from_spare``), else clone ``clone_from`` (or start empty), and apply
    what is missing; on any failure, drop it all."""
    if schema_exists(schema_name):
        # A previous attempt died mid-build: its schema cannot be trusted.
        drop_schema(schema_name)
    try:
        renamed_spare = from_spare and take_spare(schema_name)
        if not renamed_spare and clone_from:
            clone_schema(clone_from, schema_name)
        elif not renamed_spare:
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA "{schema_name}"')
        # After a clone or a spare this applies only what the template lacked (usually nothing: one query).
        migrate_schema(schema_name)
    except BaseException:
        tenant_connection().set_schema_to_public()
        drop_schema(schema_name)
        raise
    finally:
        tenant_connection().set_schema_to_public()


def take_spare(schema_name: str) -> bool:
    """Rename a spare schema cloned in advance to ``schema_name``; False when the pool is empty."""
    from tenants.services import spare_schemas

    return spare_schemas.take_spare(schema_name)


def queue_spare_refill() -> None:
    """Have a worker clone spares (for one just taken, or stale ones discarded). The beat's refill
    is the safety net, so a broker that cannot be reached fails neither a signup nor a migration."""
    from tenants.tasks import refill_spare_schemas_task

    try:
        refill_spare_schemas_task.delay()
    except Exception:  # the tenant is built; the next scheduled refill covers the pool
        logger.warning("could not queue a spare-schema refill", exc_info=True)


def migrate_schema(schema_name: str) -> None:
    """Apply what the schema lacks, in this process: after a clone of a current template that is
    one query, since the clone's recorded migrations already match the code."""
    schema_migrations.migrate_schema(tenant_connection(), schema_name)


def clone_schema(source: str, target: str) -> None:
    tenant_connection().set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [CLONE_LOCK_KEY])
    try:
        with connection.cursor() as cursor:
            _ensure_clone_function(cursor)
            cursor.execute("SELECT public.clone_schema(%s, %s, 'DATA')", [source, target])
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [CLONE_LOCK_KEY])


def _ensure_clone_function(cursor: CursorWrapper) -> None:
    """Install django-tenants' clone function once per process, not before every clone.

    ``CloneSchema.clone_schema`` drops and re-creates its ~4,500 lines of PL/pgSQL on each call, so
    every clone also paid for a new function whose statements PostgreSQL had never planned. Once
    per process still installs the version this code ships after an upgrade."""
    if _clone_function_installed:
        cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [CLONE_FUNCTION_SIGNATURE])
        if cursor.fetchone()[0]:
            return
    CloneSchema()._create_clone_schema_function()
    _clone_function_installed.append(True)


# Non-empty once this process has installed the clone function.
_clone_function_installed: list[bool] = []


def drop_schema(schema_name: str) -> None:
    # Tenant schemas only (the template included): never public, the catalogue or a bad name.
    if (
        not SCHEMA_NAME_PATTERN.match(schema_name)
        or schema_name in UNDROPPABLE_SCHEMAS
        or schema_name.startswith("pg_")
    ):
        raise ValueError(f"refusing to drop schema {schema_name!r}")
    tenant_connection().set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')


def template_schema() -> str | None:
    """The migrated template schema to clone, if the template tenant exists."""
    template = Tenant.objects.filter(is_template=True, provisioning_state=ProvisioningState.ACTIVE).first()
    if template and schema_exists(template.schema_name):
        return template.schema_name
    return None


def ensure_template_tenant() -> Tenant:
    """Create the hidden template tenant (by migrations) if it does not exist yet."""
    name = settings.TENANT_TEMPLATE_SCHEMA
    template, _created = Tenant.objects.get_or_create(
        schema_name=name,
        defaults={"name": "Template", "slug": "template", "is_template": True, "status": TenantStatus.ACTIVE},
    )
    if template.provisioning_state != ProvisioningState.ACTIVE:
        with _tenant_lock(template.pk):
            template.refresh_from_db()
            if template.provisioning_state != ProvisioningState.ACTIVE:
                build_schema(name, clone_from=None)
                _checkpoint(template, ProvisioningState.ACTIVE)
    return template


def _seed(tenant: Tenant) -> None:
    """Roles, each module's starting data (in the tenant's language), and the first administrator;
    idempotent."""
    from identity.services.accounts import ensure_user
    from identity.services.roles import ensure_system_roles
    from modules.registry import MODULES

    with tenant_context(tenant), translation.override(tenant.locale):
        roles = ensure_system_roles()
        for module in MODULES:
            if module.seed:
                import_string(module.seed)()
        if tenant.pending_admin_email:
            ensure_user(
                email=tenant.pending_admin_email,
                password_hash=tenant.pending_admin_password or None,
                role=roles["admin"],
                full_name="",
            )
    tenant.pending_admin_password = ""
    tenant.save(update_fields=["pending_admin_password", "updated_at"])


def _activate(tenant: Tenant) -> None:
    Domain.objects.get_or_create(domain=tenant.primary_host, defaults={"tenant": tenant, "is_primary": True})


@contextmanager
def _tenant_lock(tenant_id: int) -> Iterator[None]:
    key = zlib.crc32(f"provision:{tenant_id}".encode())
    with schema_context("public"), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        if not cursor.fetchone()[0]:
            raise ProvisioningBusy(f"tenant {tenant_id} is being provisioned by another worker")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def delete_tenant_schema(tenant: Tenant) -> None:
    """Remove a tenant for good: its domains, its schema, its row."""
    with transaction.atomic():
        Domain.objects.filter(tenant=tenant).delete()
        drop_schema(tenant.schema_name)
        Tenant.objects.filter(pk=tenant.pk).delete()


def schema_fingerprint(schema_name: str) -> str:
    """A digest of a schema's tables and columns, to compare a clone with its template."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name, data_type FROM information_schema.columns
            WHERE table_schema = %s ORDER BY table_name, column_name
            """,
            [schema_name],
        )
        rows = cursor.fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()
