"""Who may see, write on and manage the notes and files of a record.

Seeing follows the record: its module in the plan, ``<module>.view`` and the record within the
role's visibility (``modules.record_access``). Writing a note, attaching a file or following
needs ``<module>.change`` as well. A note or file is edited or removed by whoever wrote it, or by
an administrator (``settings.manage_tenant``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Model
from django.http import Http404
from django.utils.translation import gettext as _

from identity.models import User
from identity.visibility import restrict_to_visible
from modules.collaboration.targets import TARGETS
from modules.plan_gate import ensure_in_plan
from modules.record_access import RecordAccess

ADMIN_PERMISSION = "settings.manage_tenant"


def _require(user: User, code: str) -> None:
    if not user.has_perm(code):
        raise PermissionDenied(_("Your role does not include “%(permission)s”.") % {"permission": code})


def open_record(user: User, tenant: Any, subject: str, pk: int, *, change: bool = False) -> Model:
    """The record ``subject``/``pk`` if ``user`` may open it (and change it, when asked):
    a 404 outside their visibility or tenant, a 403 naming the permission their role lacks,
    the "not in your plan" answer for a module the tenant does not have."""
    target = TARGETS.get(subject)
    if target is None:
        raise Http404
    ensure_in_plan(tenant, target.module)
    _require(user, f"{target.module}.view")
    model = target.model_class
    record = restrict_to_visible(model._default_manager.all(), user).filter(pk=pk).first()
    if record is None:
        raise Http404
    if change:
        _require(user, f"{target.module}.change")
    return record


def may_see(user: User, record: Model) -> bool:
    """``user`` could open ``record`` (active, module, permission, visibility)."""
    if not user.is_active:
        return False
    return RecordAccess(user, getattr(connection, "tenant", None)).may_see(record)


def may_manage(user: User, author_id: int | None) -> bool:
    """``user`` may edit or remove what ``author_id`` wrote or uploaded."""
    return (author_id is not None and author_id == user.pk) or user.has_perm(ADMIN_PERMISSION)
