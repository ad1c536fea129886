"""Activities a tenant may keep for a limited time: done or cancelled ones, by when they last
changed (open activities are work in progress and never expire)."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from modules.activities.choices import ActivityStatus
from modules.activities.models import Activity
from modules.privacy.registry import RetentionTarget, register_retention


def delete_before(cutoff: datetime, limit: int) -> int:
    oldest = (
        Activity.objects.filter(status__in=[ActivityStatus.DONE, ActivityStatus.CANCELLED], updated_at__lt=cutoff)
        .order_by("updated_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    ids = list(oldest)
    if ids:
        Activity.objects.filter(pk__in=ids).delete()
    return len(ids)


def register() -> None:
    register_retention(
        RetentionTarget(
            key="activities",
            label=_("Finished activities"),
            help_text=_("Done and cancelled activities, counted from their last change. Open ones are kept."),
            delete_before=delete_before,
        )
    )
