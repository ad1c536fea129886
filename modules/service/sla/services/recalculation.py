"""Computing the open cases' clocks again after a calendar or a policy changed."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from modules.service.models import Case
from modules.service.models.case import active_case
from modules.service.sla.models import CaseClock
from modules.service.sla.services.clock import Setup, compute

BATCH_SIZE = 500


def recalculate_batch(*, after: int, now: datetime, size: int = BATCH_SIZE) -> tuple[int, int | None]:
    """Compute the clocks of up to ``size`` open cases with ids above ``after`` (creating missing
    ones). Returns how many, and the last case id when more may follow (else None)."""
    with transaction.atomic():
        cases = list(
            Case.objects.filter(active_case(), pk__gt=after)
            .select_related("status", "company", "contact")
            .order_by("pk")[:size]
        )
        if not cases:
            return 0, None
        clocks = {clock.case_id: clock for clock in CaseClock.objects.select_for_update().filter(case__in=cases)}
        setup = Setup.load()
        changed = []
        for case in cases:
            clock = clocks.get(case.pk) or CaseClock(case=case, started_at=case.created_at)
            compute(clock, case, now=now, setup=setup)
            changed.append(clock)
        fields = [field.name for field in CaseClock._meta.concrete_fields if not field.primary_key]
        CaseClock.objects.bulk_create(changed, update_conflicts=True, unique_fields=["case"], update_fields=fields)
    return len(cases), cases[-1].pk if len(cases) == size else None
