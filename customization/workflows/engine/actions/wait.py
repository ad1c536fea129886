"""``wait {"hours": n}`` or ``{"days": n}``: pause the run; the clock task resumes it when due."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from customization.workflows.engine.actions.base import Outcome
from customization.workflows.engine.context import StepContext
from customization.workflows.engine.errors import StepError

MAX_WAIT = timedelta(days=365)


def execute(config: dict[str, Any], context: StepContext) -> Outcome:
    try:
        delta = timedelta(days=float(config.get("days") or 0), hours=float(config.get("hours") or 0))
    except (TypeError, ValueError) as error:
        raise StepError(_("Give the wait in hours or days.")) from error
    if delta <= timedelta(0) or delta > MAX_WAIT:
        raise StepError(_("A wait must be longer than zero and at most a year."))
    resume_at = timezone.now() + delta
    return Outcome({"resume_at": resume_at.isoformat()}, resume_at=resume_at)
