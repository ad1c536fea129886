"""Manual invoices' numbers and queries, and the operator's audit log of billing events.

Numbers read ``RLT-<year>-<000001>``, sequential within a year. Two issuers never take the same
number: a transaction-scoped advisory lock serializes the "read the last, write the next" step
(the unique constraint on ``Invoice.number`` stands behind it).
"""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name, schema_context

from billing.choices import InvoiceStatus, Provider
from billing.models import Invoice, Subscription
from identity.models import AuditEntry
from identity.services.audit import record_audit

INVOICE_PREFIX = "RLT"
NUMBER_DIGITS = 6
NUMBER_LOCK_KEY = zlib.crc32(b"billing:invoice-number")
SYSTEM_ACTOR = "system:billing"


def next_invoice_number(year: int) -> str:
    """The next free manual invoice number of ``year``; call inside the transaction that uses it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("invoice numbers are taken inside the transaction that writes the invoice")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NUMBER_LOCK_KEY])
    prefix = f"{INVOICE_PREFIX}-{year}-"
    last = (
        Invoice.objects.filter(number__startswith=prefix, number__regex=rf"^{prefix}[0-9]{{{NUMBER_DIGITS}}}$")
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{sequence:0{NUMBER_DIGITS}d}"


def open_manual_invoices(subscription: Subscription) -> QuerySet[Invoice]:
    return Invoice.objects.filter(subscription=subscription, provider=Provider.MANUAL, status=InvoiceStatus.OPEN)


def overdue_invoices(subscription: Subscription, now: datetime) -> QuerySet[Invoice]:
    """The subscription's open manual invoices whose due date has passed, oldest due first."""
    return open_manual_invoices(subscription).filter(due_at__lte=now).order_by("due_at", "id")


def actor_kind_of(actor: str) -> str:
    return AuditEntry.ActorKind.SYSTEM if actor.startswith("system:") else AuditEntry.ActorKind.OPERATOR


def record_billing_audit(
    action: str, summary: str, *, actor: str, target: str, details: dict[str, Any] | None = None
) -> AuditEntry:
    """An entry in the operator's audit log (public schema), whichever schema the caller is on."""
    with schema_context(get_public_schema_name()):
        return record_audit(
            action, summary, actor=actor, actor_kind=actor_kind_of(actor), target=target, details=details
        )
