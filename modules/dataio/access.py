"""Who may open a data job (an import or an export) and its files: the user who created it, or an
administrator of the tenant (``settings.manage_tenant``). Holding ``data.import`` or
``data.export`` lets a user run jobs of their own, never read or drive someone else's."""

from __future__ import annotations

from typing import Any

from django.http import Http404

# Administrators see and manage every data job of their tenant.
JOB_ADMIN_PERMISSION = "settings.manage_tenant"


def may_open_job(user: Any, created_by_id: int | None) -> bool:
    return bool(created_by_id is not None and created_by_id == user.pk) or bool(user.has_perm(JOB_ADMIN_PERMISSION))


def ensure_may_open_job(user: Any, created_by_id: int | None) -> None:
    """A 404 (the job is not there for this user) unless ``may_open_job``."""
    if not may_open_job(user, created_by_id):
        raise Http404
