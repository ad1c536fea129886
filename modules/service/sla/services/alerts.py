"""SLA warnings and breaches: announced once each, as an outbox event (``case.sla_warning``,
``case.sla_breached``: webhooks subscribe to them) and a notification to the case's agent, or to
its queue's members while nobody has it.

``announce_due`` is the sweep of one tenant: it finds the clocks whose ``next_check_at`` has come
(an indexed query), computes them again and announces what is due. A breach already reached makes
its warning moot: the warning is stamped without being sent."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from identity.models import User
from modules.activities.choices import NotificationKind
from modules.activities.services.notifications import notify
from modules.contacts.services.records import record_event
from modules.service.models import Case
from modules.service.sla.models import CaseClock
from modules.service.sla.services.clock import Setup, compute

BATCH_SIZE = 200
TARGET_LABELS = {"first_response": _("first response"), "resolution": _("resolution")}


def _recipients(case: Case) -> list[User]:
    if case.owner_id is not None:
        return [case.owner] if case.owner is not None and case.owner.is_active else []
    if case.team_id is not None:
        return list(User.objects.filter(teams=case.team_id, is_active=True).order_by("pk"))
    return []


def announce(clock: CaseClock, case: Case, kind: str, target: str) -> None:
    """The event and notifications of one warning or breach (the caller stamped it)."""
    due = getattr(clock, f"{target}_due_at")
    record_event(
        f"sla_{kind}", case, by=None,
        data={
            "target": target, "due_at": due.isoformat() if due else None,
            "policy": clock.policy_id, "policy_name": clock.policy.name if clock.policy else "",
        },
    )  # fmt: skip
    label = TARGET_LABELS[target]
    if kind == "warning":
        title = lambda: _("%(number)s: the %(target)s is due soon") % {"number": case.number, "target": label}  # noqa: E731
    else:
        title = lambda: _("%(number)s: the %(target)s target was missed") % {"number": case.number, "target": label}  # noqa: E731
    stamp = int(due.timestamp()) if due else 0
    notify(
        _recipients(case), kind=NotificationKind.SLA, entity="case", record_id=case.pk, title=title,
        dedupe_prefix=f"sla:{case.pk}:{target}:{kind}:{stamp}",
    )  # fmt: skip


def _announce_clock(clock: CaseClock, now: datetime, setup: Setup) -> int:
    case = clock.case
    pending = compute(clock, case, now=now, setup=setup)
    running = not clock.pauses or clock.pauses[-1][1] is not None
    for target in ("first_response", "resolution"):
        due, warn = getattr(clock, f"{target}_due_at"), getattr(clock, f"{target}_warn_at")
        if due is None or not running or getattr(clock, f"{target}_met_at") is not None:
            continue
        if getattr(clock, f"{target}_breached_at") is None and due <= now:
            setattr(clock, f"{target}_breached_at", due)
            if getattr(clock, f"{target}_warned_at") is None:
                setattr(clock, f"{target}_warned_at", now)  # moot once breached: stamped, not sent
            pending.append(("breached", target))
        elif getattr(clock, f"{target}_warned_at") is None and warn is not None and warn <= now:
            setattr(clock, f"{target}_warned_at", now)
            pending.append(("warning", target))
    compute(clock, case, now=now, setup=setup)  # next_check_at after the new stamps
    clock.save()
    for kind, target in pending:
        announce(clock, case, kind, target)
    return len(pending)


def announce_due(now: datetime | None = None) -> int:
    """Announce the current tenant's due warnings and breaches; returns how many. Safe to run twice
    or concurrently: clocks another run holds are skipped, and stamps keep each announcement single."""
    now = now or timezone.now()
    with transaction.atomic():
        clocks = list(
            CaseClock.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("case__status", "case__owner", "case__company", "case__contact", "policy")
            .filter(next_check_at__lte=now)
            .order_by("next_check_at", "case_id")[:BATCH_SIZE]
        )
        if not clocks:
            return 0
        setup = Setup.load()
        return sum(_announce_clock(clock, now, setup) for clock in clocks)
