"""Per-tenant expression indexes for indexed and unique custom fields.

``schedule_index_sync`` queues, after commit, a Celery task that makes the tenant's schema match
the definition: ``CREATE [UNIQUE] INDEX CONCURRENTLY`` when the field is indexed or unique and
active, ``DROP INDEX CONCURRENTLY`` otherwise. Concurrent builds cannot run in a transaction, so
the task runs in autocommit; a failed build (e.g. duplicates under a new unique rule) leaves no
invalid index behind and records its error on the definition."""

from __future__ import annotations

import logging

from django.db import connection, transaction

from customization.fields.choices import NUMERIC_TYPES, FieldType, IndexState
from customization.fields.entities import entity_model
from customization.fields.models import CustomFieldDefinition

logger = logging.getLogger(__name__)


def index_expression(definition: CustomFieldDefinition) -> str:
    """The indexed expression; ``queries.sort_expression`` produces the same one for the planner."""
    key = definition.key  # validated ^[a-z][a-z0-9_]*$, safe to inline
    if definition.field_type == FieldType.MONEY:
        text = f"((custom -> '{key}') ->> 'amount')"
    else:
        text = f"(custom ->> '{key}')"
    if definition.field_type in NUMERIC_TYPES:
        return f"(({text})::numeric)"
    return text


def wants_index(definition: CustomFieldDefinition) -> bool:
    return (definition.is_indexed or definition.is_unique) and not definition.is_archived


def index_sql(definition: CustomFieldDefinition) -> str:
    table = entity_model(definition.entity)._meta.db_table
    name = connection.ops.quote_name(definition.index_name)
    if definition.field_type == FieldType.MULTI_SELECT:
        # Multi-select filters are containment (@>), served by GIN on the key's array.
        return f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} USING gin ((custom -> '{definition.key}'))"
    unique = "UNIQUE " if definition.is_unique else ""
    return f"CREATE {unique}INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} ({index_expression(definition)})"


def schedule_index_sync(definition: CustomFieldDefinition) -> None:
    """Queue the index build/drop for ``definition`` once the caller's transaction commits."""
    from customization.fields.tasks import sync_custom_field_index

    if wants_index(definition) and definition.index_state != IndexState.BUILDING:
        CustomFieldDefinition.objects.filter(pk=definition.pk).update(index_state=IndexState.BUILDING, index_error="")
        definition.index_state = IndexState.BUILDING
    definition_id = definition.pk
    transaction.on_commit(lambda: sync_custom_field_index.delay(definition_id), robust=True)


def _drop(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {connection.ops.quote_name(name)}")


def sync_index(definition_id: int) -> str:
    """Make the current schema's index match the definition; returns the resulting state."""
    definition = CustomFieldDefinition.objects.filter(pk=definition_id).first()
    if definition is None:
        return IndexState.NONE
    # Any change of type or uniqueness needs a fresh index: drop, then build what is wanted now.
    _drop(definition.index_name)
    if not wants_index(definition):
        CustomFieldDefinition.objects.filter(pk=definition_id).update(index_state=IndexState.NONE, index_error="")
        return IndexState.NONE
    try:
        with connection.cursor() as cursor:
            cursor.execute(index_sql(definition))
    except Exception as error:
        logger.warning("custom field index %s failed: %s", definition.index_name, error)
        _drop(definition.index_name)  # a failed concurrent build leaves an INVALID index behind
        CustomFieldDefinition.objects.filter(pk=definition_id).update(
            index_state=IndexState.FAILED, index_error=str(error).strip()[:2000]
        )
        return IndexState.FAILED
    CustomFieldDefinition.objects.filter(pk=definition_id).update(index_state=IndexState.READY, index_error="")
    return IndexState.READY
