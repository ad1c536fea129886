"""A migrated test database kept between runs on the same embedded PostgreSQL.

Building the test database applies every migration to the public schema and to the template
tenant's schema; on this project that is most of a targeted run's time (minutes on a busy
machine). After a build, the database is copied to ``relata_migrated_<key>`` (``CREATE DATABASE
… TEMPLATE``, a file copy); the next run whose migrations and schema-building code are unchanged
starts from a copy of it instead. The key hashes every migration file and what else decides the
database's content before any test tenant exists: the settings, the lock file, the tenant
provisioning code and this file. The isolation tenants are always provisioned afresh, so module
seeds, roles and permissions are never stale.

``pytest --create-db`` or ``RELATA_TEST_DB_CACHE=0`` builds from migrations as before; a fresh
clone (CI) has no copy and builds, then leaves one behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import signal
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

PREFIX = "relata_migrated_"
BASE_DIR = Path(__file__).resolve().parent.parent
_SKIPPED_DIRS = {".venv", "node_modules", "var", ".git", "__pycache__", "static", "locale"}
# What decides the database's content before the first test tenant, apart from migrations.
_INPUTS = ("uv.lock", "crm_platform/settings", "tenants", "tests/migrated_database.py", "tests/conftest.py")


def enabled(create_db_option: bool) -> bool:
    return not create_db_option and os.environ.get("RELATA_TEST_DB_CACHE", "1") != "0"


@contextlib.contextmanager
def build_lock(run_dir: Path) -> Iterator[bool]:
    """Held while one process of a run builds or copies the database; yields whether another
    process of the same run already built it (then even ``--create-db`` starts from its copy).

    pytest-xdist's processes share ``run_dir``: the first builds while the others wait on the
    lock, so the migrations run once per run and no process drops a copy another is reading."""
    run_dir.mkdir(parents=True, exist_ok=True)
    marker = run_dir / "migrated-database-built"
    with _outside_test_timeout(), (run_dir / "migrated-database.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            built_before = marker.exists()
            yield built_before
            if not built_before:
                marker.touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextlib.contextmanager
def _outside_test_timeout() -> Iterator[None]:
    """pytest-timeout's alarm (signal method) is paused while the database is built or waited for.

    The build runs in the first test's set-up, once per clone, and takes about five minutes on a
    quiet machine of two cores: on a busy one it reached the per-test limit and every test of the
    run failed with the set-up's timeout. It is not a hang, so it is not timed; the test's own
    time starts again afterwards with what was left of its limit."""
    remaining, interval = signal.getitimer(signal.ITIMER_REAL)
    signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        yield
    finally:
        if remaining:
            signal.setitimer(signal.ITIMER_REAL, remaining, interval)


def _migration_files() -> Iterator[Path]:
    for root, dirs, files in os.walk(BASE_DIR):
        dirs[:] = sorted(name for name in dirs if name not in _SKIPPED_DIRS)
        if Path(root).name == "migrations":
            yield from (Path(root) / name for name in sorted(files) if name.endswith(".py"))


def _input_files() -> Iterator[Path]:
    for relative in _INPUTS:
        path = BASE_DIR / relative
        if path.is_file():
            yield path
        else:
            yield from sorted(
                p for p in path.rglob("*.py") if "__pycache__" not in p.parts and "migrations" not in p.parts
            )


def key() -> str:
    digest = hashlib.sha256()
    files: Iterable[Path] = [*_migration_files(), *_input_files()]
    for path in files:
        digest.update(str(path.relative_to(BASE_DIR)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:24]


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def exists(name: str) -> bool:
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def test_database_name() -> str:
    return connection.creation._get_test_db_name()


def start_from_copy(copy_name: str) -> list[tuple[object, str, bool]]:
    """Make the test database a fresh copy of ``copy_name`` and point the connection at it.

    Returns the old-config list ``django.test.utils.teardown_databases`` expects, so the copy is
    dropped at the end of the session like a database built from migrations."""
    test_name = test_database_name()
    old_name = connection.settings_dict["NAME"]
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {_quote(test_name)} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {_quote(test_name)} TEMPLATE {_quote(copy_name)}")
    settings.DATABASES[connection.alias]["NAME"] = test_name
    connection.settings_dict["NAME"] = test_name
    return [(connection, old_name, True)]


def keep_copy(copy_name: str) -> None:
    """Copy the just-built test database to ``copy_name`` and drop copies of other keys."""
    test_name = connection.settings_dict["NAME"]
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [PREFIX + "%"])
        for (stale,) in cursor.fetchall():
            cursor.execute(f"DROP DATABASE IF EXISTS {_quote(stale)} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {_quote(copy_name)} TEMPLATE {_quote(test_name)}")
