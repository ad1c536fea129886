"""Closed cases' conversations a tenant may keep for a limited time: the messages and files of
cases closed longer ago than the period go; the case itself stays for the statistics."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from modules.privacy.registry import RetentionTarget, register_retention
from modules.service.models import CaseMessage


def delete_before(cutoff: datetime, limit: int) -> int:
    ids = list(
        CaseMessage.objects.filter(case__closed_at__lt=cutoff)
        .order_by("case__closed_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    # The messages' files leave the storage once the deletion commits (``delete_file_on_commit``).
    CaseMessage.objects.filter(pk__in=ids).delete()
    return len(ids)


def register() -> None:
    register_retention(
        RetentionTarget(
            key="closed_case_messages",
            label=_("Closed cases' conversations"),
            help_text=_("Messages and files of closed cases, counted from when the case was closed. The cases stay."),
            delete_before=delete_before,
            module="service",
        )
    )
