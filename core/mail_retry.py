"""How the tasks that send the platform's own mail (invitations, sign-in links, confirmations,
survey and satisfaction e-mails) retry while the SMTP server is down or refuses for a while.

Any ``OSError`` (a refused connection, a timeout, an SMTP error: ``smtplib``'s errors are
``OSError``\\s) sends the task back with a growing delay, ``MAIL_RETRY_BACKOFF_SECONDS`` doubled
each time up to ``MAIL_RETRY_BACKOFF_MAX_SECONDS``, for ``MAIL_RETRY_HOURS`` in all: a relay that
is down for an afternoon loses nothing. Only after that is the mail given up (the task fails and
the failure is counted in the task metrics). The tasks are idempotent: each checks, before
sending, that what it sends is still wanted.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def retries_within(hours: float, *, first: float, longest: float) -> int:
    """How many retries, waiting ``first`` seconds doubled each time up to ``longest``, it takes
    to keep trying for ``hours``."""
    waited, delay, count = 0.0, max(first, 1.0), 0
    while waited < hours * 3600:
        waited += min(delay, longest)
        delay *= 2
        count += 1
    return count


def mail_task_options() -> dict[str, Any]:
    """``shared_task`` options for a task that sends mail."""
    first = float(settings.MAIL_RETRY_BACKOFF_SECONDS)
    longest = float(settings.MAIL_RETRY_BACKOFF_MAX_SECONDS)
    return {
        "autoretry_for": (OSError,),
        "retry_backoff": int(first),
        "retry_backoff_max": int(longest),
        # No jitter: it would draw each delay anywhere below the backoff and shorten the total.
        "retry_jitter": False,
        "max_retries": retries_within(float(settings.MAIL_RETRY_HOURS), first=first, longest=longest),
        "acks_late": True,
    }
