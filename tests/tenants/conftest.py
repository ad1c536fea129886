from collections.abc import Iterator

import pytest
from django.db import connection

from tenants.models import Tenant
from tenants.services.provisioning import delete_tenant_schema

SCRATCH_PREFIX = "scratch-"


@pytest.fixture
def committed(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """Real commits, for what a transaction would hide (schemas, threads, other processes).

    Tenants whose slug starts with ``scratch-`` are removed afterwards, schema and all.
    """
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        yield
        connection.set_schema_to_public()
        for tenant in Tenant.objects.filter(slug__startswith=SCRATCH_PREFIX):
            delete_tenant_schema(tenant)
