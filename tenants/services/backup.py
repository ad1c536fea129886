"""One tenant's backup and its restore, into the same tenant or a new one.

A backup is one tar file:

- ``manifest.json``: format version, the tenant (slug, schema), when, the schema's applied
  migrations, and a SHA-256 of every other member;
- ``schema.dump``: ``pg_dump --format=custom`` of the tenant's schema (every record, the users);
- ``shared.json``: the tenant's rows in the shared tables (the tenant, its domains and status
  history, serialised by Django) — kept for the record and to make a new tenant from;
- ``files/<key>``: the files the tenant's records point at (attachments, case files), from the
  private storage, local or S3.

Restoring into the same tenant renames its damaged schema aside, restores the dump, puts the
files back and drops the old schema only once all of it worked (on failure the old schema comes
back). Restoring into a new tenant restores the dump under the new tenant's schema, with its files
under the new schema's keys. While a restore runs the tenant answers a maintenance page.

The cluster's point-in-time recovery (WAL archiving) is a different tool for a different loss:
infra/README.md, "Backups".
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_exists, tenant_context

from tenants.choices import MigrationState, ProvisioningState
from tenants.models import Domain, Tenant, TenantStatusChange
from tenants.services.erasures import replay_erasures
from tenants.services.provisioning import drop_schema
from tenants.signals import tenant_restored
from tenants.validators import validate_schema_name

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
FILES_PREFIX = "files/"
# The storage folder of a tenant's files: new_storage_key puts every file under it.
FILE_FOLDER = "attachments/{schema}/"


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    schema_name: str
    files: int
    size: int


def _storage() -> Storage:
    from modules.collaboration.models.attachment import attachment_storage

    return attachment_storage()


def _binary(name: str) -> str:
    """``pg_dump``/``pg_restore``: from ``PG_BIN_DIR`` when set, else the ones the embedded
    PostgreSQL ships (the newest major version the platform runs, which also reads older servers),
    else from PATH."""
    candidates = []
    if os.environ.get("PG_BIN_DIR"):
        candidates.append(Path(os.environ["PG_BIN_DIR"]) / name)
    import pgserver

    candidates.append(Path(pgserver.__file__).parent / "pginstall" / "bin" / name)
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(f"{name} is not installed")


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGDATABASE": str(db["NAME"])}
    for key, variable in (("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"), ("HOST", "PGHOST"), ("PORT", "PGPORT")):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _run(command: list[str], **kwargs: Any) -> None:
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False, **kwargs)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _applied_migrations(schema_name: str) -> list[str]:
    with connection.cursor() as cursor:
        # A validated schema name (tenant rows are constrained), quoted by the backend.
        table = f"{connection.ops.quote_name(schema_name)}.django_migrations"
        cursor.execute(f"SELECT app, name FROM {table} ORDER BY app, name")  # noqa: S608
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _storage_key_tables(schema_name: str) -> list[str]:
    """The tables of the schema that point at stored files (a ``storage_key`` column)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = %s AND column_name = 'storage_key'"
            " ORDER BY table_name",
            [schema_name],
        )
        return [row[0] for row in cursor.fetchall()]


def _tenant_files(schema_name: str) -> Iterator[str]:
    """The keys of the files the tenant's records point at (files no record names are not kept)."""
    quote = connection.ops.quote_name
    keys: set[str] = set()
    with connection.cursor() as cursor:
        for table in _storage_key_tables(schema_name):
            cursor.execute(f"SELECT storage_key FROM {quote(schema_name)}.{quote(table)}")  # noqa: S608
            keys.update(row[0] for row in cursor.fetchall() if row[0])
    storage = _storage()
    for key in sorted(keys):
        if storage.exists(key):
            yield key


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def backup_tenant(tenant: Tenant, path: Path) -> BackupSummary:
    """Write ``tenant``'s backup to ``path`` (a new file)."""
    schema = tenant.schema_name
    if not schema_exists(schema):
        raise BackupError(f"{tenant.slug} has no schema to back up")
    with tempfile.TemporaryDirectory(prefix="relata-backup-") as work:
        dump_path = Path(work) / "schema.dump"
        _run([_binary("pg_dump"), "--format=custom", f"--schema={schema}", "--no-owner", "--no-privileges",
              f"--file={dump_path}"])  # fmt: skip
        dump = dump_path.read_bytes()
    shared = serializers.serialize(
        "json",
        [tenant, *Domain.objects.filter(tenant=tenant), *TenantStatusChange.objects.filter(tenant=tenant)],
    ).encode()
    storage = _storage()
    files: dict[str, bytes] = {}
    for key in _tenant_files(schema):
        with storage.open(key, "rb") as handle:
            files[key] = handle.read()
    manifest = {
        "format": FORMAT_VERSION,
        "tenant": {
            "slug": tenant.slug,
            "schema_name": schema,
            "name": tenant.name,
            "locale": tenant.locale,
            "currency": tenant.currency,
            "time_zone": tenant.time_zone,
            "enabled_modules": list(tenant.enabled_modules),
        },
        "created_at": timezone.now().isoformat(),
        "migrations": _applied_migrations(schema),
        "members": {
            "schema.dump": _digest(dump),
            "shared.json": _digest(shared),
            **{FILES_PREFIX + key: _digest(data) for key, data in files.items()},
        },
    }
    with tarfile.open(path, "x") as archive:
        _add(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
        _add(archive, "schema.dump", dump)
        _add(archive, "shared.json", shared)
        for key, data in files.items():
            _add(archive, FILES_PREFIX + key, data)
    return BackupSummary(path=path, schema_name=schema, files=len(files), size=path.stat().st_size)


@dataclass
class _Backup:
    manifest: dict[str, Any]
    dump: bytes
    files: dict[str, bytes]


def _read(path: Path) -> _Backup:
    """The backup's parts, each checked against its digest in the manifest."""
    try:
        with tarfile.open(path, "r") as archive:
            members = {member.name: member for member in archive.getmembers() if member.isfile()}
            if "manifest.json" not in members:
                raise BackupError("not a Relata backup: no manifest.json")
            manifest = json.loads(archive.extractfile(members["manifest.json"]).read())  # type: ignore[union-attr]
            if manifest.get("format") != FORMAT_VERSION:
                raise BackupError(f"unknown backup format {manifest.get('format')!r}")
            parts: dict[str, bytes] = {}
            for name, digest in manifest["members"].items():
                if name not in members:
                    raise BackupError(f"the backup lacks {name}")
                data = archive.extractfile(members[name]).read()  # type: ignore[union-attr]
                if _digest(data) != digest:
                    raise BackupError(f"{name} does not match its digest: the file is damaged")
                parts[name] = data
    except (tarfile.TarError, OSError, ValueError, KeyError, TypeError) as error:
        raise BackupError(f"the backup cannot be read: {error}") from error
    files = {name.removeprefix(FILES_PREFIX): data for name, data in parts.items() if name.startswith(FILES_PREFIX)}
    return _Backup(manifest=manifest, dump=parts["schema.dump"], files=files)


def _rename_schema(old: str, new: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER SCHEMA "{old}" RENAME TO "{new}"')


def _restore_dump(dump: bytes) -> None:
    with tempfile.NamedTemporaryFile(prefix="relata-restore-", suffix=".dump") as handle:
        handle.write(dump)
        handle.flush()
        _run([_binary("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              f"--dbname={settings.DATABASES['default']['NAME']}", handle.name])  # fmt: skip


def _put_files(files: dict[str, bytes], source_schema: str, target_schema: str) -> int:
    """Write the files under the target schema's folder (the same keys for the same tenant)."""
    storage = _storage()
    old, new = FILE_FOLDER.format(schema=source_schema), FILE_FOLDER.format(schema=target_schema)
    for key, data in files.items():
        target = new + key.removeprefix(old)
        if storage.exists(target):
            storage.delete(target)
        storage.save(target, ContentFile(data))
    return len(files)


def _rekey_files(schema_name: str, source_schema: str) -> None:
    """Point every ``storage_key`` column of the restored schema at the new schema's folder."""
    old, new = FILE_FOLDER.format(schema=source_schema), FILE_FOLDER.format(schema=schema_name)
    with connection.cursor() as cursor:
        for table in _storage_key_tables(schema_name):
            quoted = f"{connection.ops.quote_name(schema_name)}.{connection.ops.quote_name(table)}"
            cursor.execute(
                f"UPDATE {quoted} SET storage_key = %s || substr(storage_key, %s) WHERE storage_key LIKE %s",  # noqa: S608
                [new, len(old) + 1, old + "%"],
            )


def _set_state(tenant: Tenant, state: str) -> None:
    Tenant.objects.filter(pk=tenant.pk).update(migration_state=state)


def _announce_restore(tenant: Tenant) -> None:
    with tenant_context(tenant):
        tenant_restored.send(sender=Tenant, tenant=tenant)


def restore_tenant(path: Path, tenant: Tenant) -> int:
    """Replace ``tenant``'s schema and files with the backup's; the files restored. The damaged
    schema is kept aside until the restore worked, and comes back if it did not."""
    backup = _read(path)
    source = backup.manifest["tenant"]["schema_name"]
    if source != tenant.schema_name:
        raise BackupError(f"this backup is of {source}, not {tenant.schema_name}: restore it as a new tenant")
    aside = f"{tenant.schema_name}_before_restore"[:63]
    if schema_exists(aside):
        raise BackupError(f"a schema {aside} is left from an earlier restore: look at it, then drop it")
    previous_state = tenant.migration_state
    _set_state(tenant, MigrationState.RESTORING)
    moved = False
    try:
        if schema_exists(tenant.schema_name):
            _rename_schema(tenant.schema_name, aside)
            moved = True
        _restore_dump(backup.dump)
        count = _put_files(backup.files, source, tenant.schema_name)
        # A backup made before an erasure still holds the person: erase them again.
        replay = replay_erasures(tenant)
        _announce_restore(tenant)
    except BaseException:
        if schema_exists(tenant.schema_name) and moved:
            drop_schema(tenant.schema_name)
        if moved:
            _rename_schema(aside, tenant.schema_name)
        _set_state(tenant, previous_state)
        raise
    logger.info("restored %s: %d files, %d erasures applied again", tenant.schema_name, count, replay.erased)
    if moved:
        drop_schema(aside)
    _set_state(tenant, MigrationState.CURRENT)
    return count


def restore_as_new_tenant(path: Path, *, slug: str, name: str = "") -> Tenant:
    """A new tenant (``slug``) holding the backup's records, users and files."""
    from tenants.services.provisioning import TenantRequest, request_tenant

    backup = _read(path)
    about = backup.manifest["tenant"]
    source = about["schema_name"]
    tenant = request_tenant(
        TenantRequest(
            name=name or about["name"], slug=slug, admin_email=f"restore@{slug}.invalid", locale=about["locale"],
            currency=about["currency"], time_zone=about["time_zone"], enabled_modules=tuple(about["enabled_modules"]),
        )
    )  # fmt: skip
    validate_schema_name(tenant.schema_name)
    Tenant.objects.filter(pk=tenant.pk).update(pending_admin_email="", pending_admin_password="")
    original_live = schema_exists(source)
    parked = f"{source}_restoring"[:63]
    original = Tenant.objects.filter(schema_name=source).first()
    try:
        # pg_restore recreates the schema under its dumped name: park a live original aside for
        # the few seconds the restore takes (its tenant answers the maintenance page meanwhile).
        if original_live:
            if original is not None:
                _set_state(original, MigrationState.RESTORING)
            _rename_schema(source, parked)
        try:
            _restore_dump(backup.dump)
            _rename_schema(source, tenant.schema_name)
        finally:
            if original_live:
                if schema_exists(source):
                    drop_schema(source)
                _rename_schema(parked, source)
                if original is not None:
                    _set_state(original, original.migration_state)
        _rekey_files(tenant.schema_name, source)
        _put_files(backup.files, source, tenant.schema_name)
        # The copy honours the original's erasures as well as any made before the backup.
        replay_erasures(tenant, also_of=[original] if original is not None else [])
        _announce_restore(tenant)
    except BaseException:
        if schema_exists(tenant.schema_name):
            drop_schema(tenant.schema_name)
        with transaction.atomic():
            Domain.objects.filter(tenant=tenant).delete()
            Tenant.objects.filter(pk=tenant.pk).delete()
        raise
    Tenant.objects.filter(pk=tenant.pk).update(
        provisioning_state=ProvisioningState.ACTIVE, provisioning_progress=100, migration_state=MigrationState.CURRENT,
    )  # fmt: skip
    tenant.refresh_from_db()
    Domain.objects.get_or_create(domain=tenant.primary_host, defaults={"tenant": tenant, "is_primary": True})
    return tenant
