"""The onboarding checklist of a new workspace: the registered steps, ticked from real state, shown
to administrators until every step is done or one of them dismisses it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from identity.models import User
from identity.services.audit import record_audit
from modules.home.models import OnboardingState
from modules.home.registry import ChecklistItem, checklist_for


@dataclass(frozen=True)
class Step:
    item: ChecklistItem
    done: bool


def is_dismissed() -> bool:
    return OnboardingState.objects.filter(dismissed_at__isnull=False).exists()


def checklist(tenant: object) -> list[Step]:
    """Every step of the tenant's modules with whether it is done (one query per step)."""
    return [Step(item, bool(item.done())) for item in checklist_for(tenant)]


def dismiss_checklist(*, by: User, ip_address: str | None = None) -> OnboardingState:
    """Hide the checklist for everyone in the workspace (idempotent)."""
    with transaction.atomic():
        state, _created = OnboardingState.objects.select_for_update().get_or_create(singleton=True)
        if state.dismissed_at is None:
            state.dismissed_at = timezone.now()
            state.dismissed_by = by
            state.save(update_fields=["dismissed_at", "dismissed_by"])
            record_audit(
                "onboarding.dismissed",
                "Dismissed the onboarding checklist",
                actor=by.email,
                target="onboarding",
                ip_address=ip_address,
            )
    return state


def checklist_context(tenant: object) -> dict[str, Any] | None:
    """The card's data, or None once dismissed or complete."""
    if is_dismissed():
        return None
    steps = checklist(tenant)
    done = sum(1 for step in steps if step.done)
    if not steps or done == len(steps):
        return None
    return {"steps": steps, "done": done, "total": len(steps), "percent": round(100 * done / len(steps))}
