"""Spare schemas: tenant schemas cloned from the template ahead of signups.

Cloning the template (django-tenants' PL/pgSQL ``clone_schema()``) is most of a signup's wait.
A pool of ``TENANT_SPARE_SCHEMAS`` spares is cloned in advance by a Celery task; a signup takes
one with ``ALTER SCHEMA … RENAME`` (catalogue only: no table is copied) and falls back to a
clone when the pool is empty.

- **Never shared.** A spare is taken in one transaction: its row is locked with
  ``FOR UPDATE SKIP LOCKED`` (a concurrent signup skips it and takes the next), the schema renamed
  and the row deleted. DDL is transactional in PostgreSQL, so a failure leaves the spare as it was.
- **Invisible.** A spare has no tenant row and no domain: routing, tenant lists, the console and
  fleet work never see it. Its name (``spare__…``) is one no tenant can have
  (``tenants.validators.RESERVED_SCHEMA_PREFIXES``).
- **Current.** A spare is brought up to the code's migrations when it is cloned (one query when
  the template is current), a fleet migration discards spares that lack a migration (the next
  refill clones them again from the migrated template), and provisioning checks the migrations of
  whatever it took anyway, so even a spare taken between a deploy and its fleet migration makes a
  current tenant.
- **One refill at a time.** A session advisory lock; a refill that finds it held does nothing.
  Spares are cloned before their row exists, so a schema named ``spare__…`` without a row is a
  refill that died midway, and the next refill drops it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction

from tenants.db import tenant_connection
from tenants.models import SpareSchema
from tenants.services import provisioning, schema_migrations

logger = logging.getLogger(__name__)

SPARE_PREFIX = "spare__"
REFILL_LOCK_KEY = 0x53504152  # "SPAR": one refill at a time across processes


def pool_size() -> int:
    """How many spares to keep; none unless schemas are built by cloning the template."""
    if settings.TENANT_PROVISIONING_METHOD != "clone":
        return 0
    return max(0, int(settings.TENANT_SPARE_SCHEMAS))


def new_spare_name() -> str:
    return f"{SPARE_PREFIX}{uuid.uuid4().hex[:24]}"


def take_spare(schema_name: str) -> bool:
    """Rename a spare to ``schema_name``; False when no spare is free (the caller clones instead).
    The caller checks the result's migrations, as after a clone."""
    tenant_connection().set_schema_to_public()
    quote = connection.ops.quote_name
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            spare = SpareSchema.objects.select_for_update(skip_locked=True).order_by("created_at", "id").first()
            if spare is None:
                return False
            SpareSchema.objects.filter(pk=spare.pk).delete()
            cursor.execute("SELECT to_regnamespace(%s) IS NOT NULL", [quote(spare.schema_name)])
            if not cursor.fetchone()[0]:
                # Dropped by hand: forget the row (deleted above) and try the next spare.
                logger.warning("spare schema %s had no schema; its row is removed", spare.schema_name)
                continue
            cursor.execute(f"ALTER SCHEMA {quote(spare.schema_name)} RENAME TO {quote(schema_name)}")
        logger.info("schema %s built from spare %s", schema_name, spare.schema_name)
        return True


def refill() -> int:
    """Discard stale and surplus spares, drop what a dead refill left, and clone spares until the
    pool holds ``pool_size()``. Returns how many were cloned; 0 when another refill is running
    or there is no template to clone."""
    with _refill_lock() as acquired:
        if not acquired:
            return 0
        _drop_orphans()
        discard_stale()
        wanted = pool_size()
        _discard_surplus(wanted)
        template = provisioning.template_schema()
        if template is None:
            return 0
        cloned = 0
        while SpareSchema.objects.count() < wanted:
            _clone_spare(template)
            cloned += 1
        return cloned


def _clone_spare(template: str) -> None:
    name = new_spare_name()
    try:
        provisioning.clone_schema(template, name)
        # A template that lags the code gives a spare that lags it too: bring it up to date now.
        schema_migrations.migrate_schema(tenant_connection(), name)
        SpareSchema.objects.create(schema_name=name)
    except BaseException:
        tenant_connection().set_schema_to_public()
        provisioning.drop_schema(name)
        raise


def discard_stale() -> list[str]:
    """Drop the spares missing a migration the code has (after a deploy, until the fleet migration
    and the next refill); spares being taken are skipped. Returns the names dropped.

    One spare per transaction: dropping a schema locks every table in it until the commit, so
    dropping many in one transaction runs out of lock slots (``max_locks_per_transaction``)."""
    dropped: list[str] = []
    tenant_connection().set_schema_to_public()
    for spare_id in list(SpareSchema.objects.order_by("id").values_list("id", flat=True)):
        with transaction.atomic():
            spare = SpareSchema.objects.select_for_update(skip_locked=True).filter(id=spare_id).first()
            if spare is None:  # taken or dropped meanwhile, or being taken now
                continue
            applied = schema_migrations.applied_migrations(tenant_connection(), spare.schema_name)
            if applied and not schema_migrations.unapplied(applied):
                continue
            provisioning.drop_schema(spare.schema_name)
            spare.delete()
            dropped.append(spare.schema_name)
    if dropped:
        logger.info("discarded %s stale spare schema(s): %s", len(dropped), ", ".join(dropped))
    return dropped


def discard_all() -> int:
    """Drop every spare (e.g. when the pool is turned off, or before a measurement)."""
    return _discard_surplus(0)


def _discard_surplus(wanted: int) -> int:
    """Drop the newest spares beyond ``wanted``, one per transaction (see ``discard_stale``)."""
    tenant_connection().set_schema_to_public()
    dropped = 0
    for _ in range(max(0, SpareSchema.objects.count() - wanted)):
        with transaction.atomic():
            spare = SpareSchema.objects.select_for_update(skip_locked=True).order_by("-created_at", "-id").first()
            if spare is None:
                break
            provisioning.drop_schema(spare.schema_name)
            spare.delete()
        dropped += 1
    return dropped


def _drop_orphans() -> None:
    """Schemas named like spares without a row: a refill died between the clone and the row.
    Called under the refill lock, so no clone is in progress."""
    query = (
        "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s)"
        " AND NOT EXISTS (SELECT 1 FROM tenants_spareschema spare WHERE spare.schema_name = nspname)"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [SPARE_PREFIX])
        orphans = [name for (name,) in cursor.fetchall()]
    for name in orphans:
        provisioning.drop_schema(name)


@contextmanager
def _refill_lock() -> Iterator[bool]:
    tenant_connection().set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [REFILL_LOCK_KEY])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            tenant_connection().set_schema_to_public()
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [REFILL_LOCK_KEY])
