"""Erasures that survive a restore. A data-subject erasure deletes a person's data from the tenant's
schema, but a backup made before it still holds the data; restoring that backup must not bring the
person back. So each erasure is also written, by kind and id only, to ``ErasedRecord`` in the
shared schema (which a restore of the tenant's schema leaves alone), and a restore re-applies every
erasure the tenant (or, for a copy, its original) has recorded, through the same code the erasure
ran the first time.

Modules register how to erase a kind (``register_erasure``) and call ``remember_erasure`` inside
the erasure's transaction; the tenants app imports no module."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection
from django_tenants.utils import get_public_schema_name, tenant_context

from tenants.models import ErasedRecord, Tenant

# kind → a function erasing the record with that id in the current schema again, returning whether
# the record was there (a record already gone, or never restored, is not an error).
_ERASERS: dict[str, Callable[[int], bool]] = {}


def register_erasure(kind: str, erase_again: Callable[[int], bool]) -> None:
    _ERASERS[kind] = erase_again


def remember_erasure(kind: str, record_id: int) -> None:
    """Record that ``kind`` ``record_id`` of the current tenant was erased; call it inside the
    erasure's transaction so that both happen or neither. Nothing is kept in the public schema."""
    tenant = getattr(connection, "tenant", None)
    if tenant is None or getattr(connection, "schema_name", None) == get_public_schema_name():
        return
    ErasedRecord.objects.get_or_create(tenant_id=tenant.pk, kind=kind, record_id=record_id)


@dataclass(frozen=True)
class Replay:
    """What a restore re-applied: records erased again, and erasures whose record was not there."""

    erased: int
    absent: int


def replay_erasures(tenant: Tenant, *, also_of: Iterable[Tenant] = ()) -> Replay:
    """Erase again, in ``tenant``'s schema, every record erased in it (and in ``also_of``: the
    tenant a restored copy came from), and record them as erased in ``tenant`` too, so that a later
    restore of the copy does the same. Raises what an erasure raises: the caller undoes the restore."""
    sources = [tenant.pk, *(other.pk for other in also_of)]
    records = list(
        ErasedRecord.objects.filter(tenant_id__in=sources).order_by("erased_at", "id").values_list("kind", "record_id")
    )
    erased = absent = 0
    with tenant_context(tenant):
        for kind, record_id in dict.fromkeys(records):
            eraser = _ERASERS.get(kind)
            if eraser is None:
                raise LookupError(f"no eraser is registered for {kind!r}: the restore cannot honour that erasure")
            if eraser(record_id):
                erased += 1
            else:
                absent += 1
            remember_erasure(kind, record_id)
    return Replay(erased=erased, absent=absent)
