"""Cached custom field definitions on the REST reads: no definitions query on a repeated request,
every definition change applies to the next one, and a tenant never sees another's fields."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customization.fields import cache as definitions_cache
from customization.fields.choices import Entity, FieldType
from customization.fields.models import CustomFieldDefinition
from customization.fields.services import archive_definition
from tests.api.rest_crm.helpers import api_client
from tests.api.rest_custom.conftest import define
from tests.factories import ContactFactory
from tests.tenancy import TenantFixture

pytestmark = pytest.mark.usefixtures("_caches_on")


@pytest.fixture
def _caches_on(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.REQUEST_PATH_CACHES = True  # off by default in the suite (crm_platform/settings/test.py)
    definitions_cache.forget_local()
    yield
    definitions_cache.forget_local()


def _custom_of_first(client) -> tuple[dict[str, object], int]:  # type: ignore[no-untyped-def]
    """The listed contact's ``custom`` (each test makes one) and how many definitions queries ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/contacts/")
    assert response.status_code == 200, response.content
    reads = sum('FROM "custom_fields_customfielddefinition"' in query["sql"] for query in queries.captured_queries)
    (row,) = response.json()["results"]
    return row["custom"], reads


def test_a_repeated_request_reads_the_definitions_from_the_cache(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "tier", FieldType.TEXT)
        ContactFactory(custom={"tier": "gold"})
    client = api_client(alpha)

    first = _custom_of_first(client)
    second = _custom_of_first(client)

    assert first[0] == second[0] == {"tier": "gold"}
    assert first[1] >= 1
    assert second[1] == 0


def test_a_new_and_an_archived_field_apply_to_the_next_request(alpha: TenantFixture):
    with alpha.active():
        tier = define(Entity.CONTACT, "tier", FieldType.TEXT)
        ContactFactory(custom={"tier": "gold", "region": "north"})
    client = api_client(alpha)
    assert _custom_of_first(client)[0] == {"tier": "gold"}

    with alpha.active():
        define(Entity.CONTACT, "region", FieldType.TEXT)
    assert _custom_of_first(client)[0] == {"tier": "gold", "region": "north"}

    with alpha.active():
        archive_definition(tier, by=alpha.user())
    assert _custom_of_first(client)[0] == {"region": "north"}


def test_a_queryset_update_applies_to_the_next_request(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "tier", FieldType.TEXT, position=0)
        define(Entity.CONTACT, "region", FieldType.TEXT, position=1)
        ContactFactory(custom={"tier": "gold", "region": "north"})
    client = api_client(alpha)
    assert list(_custom_of_first(client)[0]) == ["tier", "region"]

    with alpha.active():
        CustomFieldDefinition.objects.filter(key="tier").update(position=2)

    assert list(_custom_of_first(client)[0]) == ["region", "tier"]


def test_another_tenants_fields_never_show(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "tier", FieldType.TEXT)
        ContactFactory(custom={"tier": "gold"})
    with beta.active():
        ContactFactory(custom={"tier": "planted"})
    alpha_client, beta_client = api_client(alpha), api_client(beta)

    for _round in range(2):
        assert _custom_of_first(alpha_client)[0] == {"tier": "gold"}
        assert _custom_of_first(beta_client)[0] == {}
