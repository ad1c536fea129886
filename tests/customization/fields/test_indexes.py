"""The per-tenant expression index of a field, built and dropped by ``sync_index`` for real.

CREATE INDEX CONCURRENTLY cannot run inside a transaction, so these tests commit: the fields and
contacts they make in alpha are removed afterwards (purging drops the indexes). The definitions are
switched to indexed with a plain UPDATE, so no task is queued and only the test builds the index.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from customization.fields.choices import Entity, FieldType, IndexState
from customization.fields.indexes import sync_index
from customization.fields.models import CustomFieldDefinition
from customization.fields.services import archive_definition, create_definition, purge_definition
from modules.contacts.models import Contact
from tenants.models import Tenant
from tests.customization.fields.conftest import region_options

PREFIX = "ix_"


@pytest.fixture
def committed_alpha(django_db_setup: None, django_db_blocker: Any) -> Iterator[Tenant]:
    """Alpha outside a test transaction; the test's fields, values and indexes are removed after."""
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="alpha")
        try:
            with tenant_context(tenant):
                yield tenant
        finally:
            with tenant_context(tenant):
                Contact.objects.filter(last_name__startswith="Index test").delete()
                for definition in CustomFieldDefinition.objects.filter(key__startswith=PREFIX):
                    archive_definition(definition, by=None)
                    purge_definition(definition, by=None)
            connection.set_schema_to_public()


def _field(key: str, field_type: str, **flags: Any) -> CustomFieldDefinition:
    options = region_options() if field_type == FieldType.MULTI_SELECT else None
    definition = create_definition(
        by=None, entity=Entity.CONTACT, key=key, label=key, field_type=field_type, options=options
    )
    CustomFieldDefinition.objects.filter(pk=definition.pk).update(**flags)
    return definition


def _index(name: str) -> tuple[bool, str] | None:
    """(valid, definition) of the index ``name`` in alpha's schema, or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indisvalid, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relname = %s AND n.nspname = 'alpha'",
            [name],
        )
        row = cursor.fetchone()
    return (bool(row[0]), str(row[1])) if row else None


def _state(definition: CustomFieldDefinition) -> tuple[str, str]:
    return CustomFieldDefinition.objects.values_list("index_state", "index_error").get(pk=definition.pk)


def test_an_indexed_number_gets_a_numeric_expression_index_and_loses_it_when_archived(committed_alpha: Tenant):
    definition = _field("ix_score", FieldType.NUMBER, is_indexed=True)
    Contact.objects.create(last_name="Index test 1", custom={"ix_score": 5})

    state = sync_index(definition.pk)

    assert (state, _state(definition)) == (IndexState.READY, (IndexState.READY, ""))
    index = _index("cf_contact_ix_score")
    assert index is not None
    assert index[0] is True
    assert "((custom ->> 'ix_score'::text))::numeric" in index[1]

    CustomFieldDefinition.objects.filter(pk=definition.pk).update(archived_at="2026-01-01T00:00:00Z")
    assert sync_index(definition.pk) == IndexState.NONE
    assert _index("cf_contact_ix_score") is None
    assert _state(definition) == (IndexState.NONE, "")


def test_a_unique_index_over_duplicates_fails_and_leaves_no_invalid_index(committed_alpha: Tenant):
    definition = _field("ix_badge", FieldType.TEXT, is_unique=True)
    Contact.objects.create(last_name="Index test 1", custom={"ix_badge": "A1"})
    Contact.objects.create(last_name="Index test 2", custom={"ix_badge": "A1"})

    state = sync_index(definition.pk)

    index_state, error = _state(definition)
    assert (state, index_state) == (IndexState.FAILED, IndexState.FAILED)
    assert "could not create unique index" in error
    assert _index("cf_contact_ix_badge") is None

    Contact.objects.filter(last_name="Index test 2").delete()
    assert sync_index(definition.pk) == IndexState.READY
    index = _index("cf_contact_ix_badge")
    assert index is not None
    assert index[1].startswith("CREATE UNIQUE INDEX")


def test_a_multi_select_gets_a_gin_index(committed_alpha: Tenant):
    definition = _field("ix_areas", FieldType.MULTI_SELECT, is_indexed=True)

    assert sync_index(definition.pk) == IndexState.READY
    index = _index("cf_contact_ix_areas")
    assert index is not None
    assert "USING gin" in index[1]


def test_purging_drops_the_index_even_before_the_drop_task_ran(committed_alpha: Tenant):
    definition = _field("ix_code", FieldType.TEXT, is_indexed=True)
    sync_index(definition.pk)
    CustomFieldDefinition.objects.filter(pk=definition.pk).update(archived_at="2026-01-01T00:00:00Z")
    definition.refresh_from_db()

    purge_definition(definition, by=None)

    assert _index("cf_contact_ix_code") is None
    assert not CustomFieldDefinition.objects.filter(pk=definition.pk).exists()
