"""When deliveries are retried and when an endpoint is given up on.

Retry schedule: after a failed attempt (a non-2xx answer other than 410, a timeout, a connection
error) the next one waits, by attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h — ten
attempts over about three days and four hours. Each wait is spread by ±10 % (jitter), so
endpoints coming back from an outage are not hit by every delivery at the same instant. After the
tenth attempt the delivery has failed; an admin can still replay it, which runs the schedule again.

A 410 Gone disables the endpoint at once. An endpoint is also disabled when it has failed
continuously (no successful attempt) for five days, or when ten deliveries in a row have failed
for good; the tenant's admins get an e-mail and the webhooks page says why."""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings

RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.1
DISABLE_AFTER_FAILING_FOR = timedelta(days=5)
DISABLE_AFTER_FAILED_DELIVERIES = 10
# Retries due within this are queued with a countdown; later ones are found by the sweeper
# (a Redis broker redelivers ETA tasks older than its visibility timeout).
COUNTDOWN_LIMIT = timedelta(minutes=10)


def lease() -> timedelta:
    """How long a worker holds a delivery while sending (``WEBHOOK_DELIVERY_LEASE_SECONDS``,
    longer than the request timeout); a killed worker's delivery is sent again after it."""
    return timedelta(seconds=int(settings.WEBHOOK_DELIVERY_LEASE_SECONDS))


REQUEST_TIMEOUT_SECONDS = 15
RESPONSE_LOG_CHARS = 4000
# The secret a rotation replaces keeps signing this long by default.
ROTATION_OVERLAP = timedelta(hours=24)

_random = random.SystemRandom()


def retry_delay(attempts_made: int) -> timedelta | None:
    """The wait before the next attempt after ``attempts_made`` in this round; None: give up."""
    if attempts_made < 1 or attempts_made > len(RETRY_DELAYS):
        return None
    base = RETRY_DELAYS[attempts_made - 1]
    return base * _random.uniform(1 - JITTER, 1 + JITTER)
