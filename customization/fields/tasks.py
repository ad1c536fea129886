"""Background work on custom fields; tasks run in the schema of the tenant that queued them."""

from __future__ import annotations

from celery import shared_task

from customization.fields.indexes import sync_index


@shared_task(acks_late=True)
def sync_custom_field_index(definition_id: int) -> str:
    """Build or drop one definition's expression index (idempotent)."""
    return sync_index(definition_id)
