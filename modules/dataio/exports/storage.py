"""Where export files live: a private storage (never under a public URL), one folder per tenant
schema, file names random so that even the path of another export cannot be guessed. The
download view is the only way out, and it checks the job, the user and the schema prefix."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.db import connection


def export_root() -> Path:
    """``PRIVATE_FILES_ROOT/exports`` (default ``var/private/exports``)."""
    return Path(settings.PRIVATE_FILES_ROOT) / "exports"


def private_storage() -> Storage:
    # No base_url: the storage has no public URL at all.
    return FileSystemStorage(location=export_root(), base_url=None)


def current_schema() -> str:
    return str(getattr(connection, "schema_name", "public"))


def new_file_path(extension: str) -> str:
    """A fresh path for an export of the current tenant: ``<schema>/<random>.<extension>``."""
    return f"{current_schema()}/{uuid.uuid4().hex}.{extension}"


def belongs_to_current_tenant(path: str) -> bool:
    return bool(path) and path.startswith(f"{current_schema()}/") and ".." not in path
