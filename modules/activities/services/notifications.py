"""Writing notifications for other parts of the platform (mentions, followed records, assignments).

Each notification has a ``dedupe_key``: producers run again (an outbox event offered twice, a
retried task) without writing a second one."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.translation import override

from identity.models import User
from modules.activities.models import Notification


def notify(
    recipients: Iterable[User],
    *,
    kind: str,
    entity: str,
    record_id: int | None,
    title: Callable[[], str],
    dedupe_prefix: str,
) -> None:
    """One notification per recipient (``dedupe_prefix:<user id>``), titled in their language.

    ``title`` is called under each recipient's language, so lazy strings come out translated."""
    rows = []
    for recipient in recipients:
        with override(recipient.locale or None):
            text = str(title())
        rows.append(
            Notification(
                recipient=recipient,
                kind=kind,
                entity=entity,
                record_id=record_id,
                title=text[:255],
                dedupe_key=f"{dedupe_prefix}:{recipient.pk}"[:120],
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
