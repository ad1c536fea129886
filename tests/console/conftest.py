"""Console fixtures: an operator (staff user of the public schema) and a client signed in on the
public host."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from identity.models import User
from identity.services.operators import ensure_operator

OPERATOR_EMAIL = "ops@relata.test"
OPERATOR_PASSWORD = "lantern-quarry-mosaic-42"
PUBLIC_HOST = "localhost"


@pytest.fixture
def operator(db: None) -> User:
    return ensure_operator(OPERATOR_EMAIL, OPERATOR_PASSWORD)


@pytest.fixture
def operator_client(operator: User) -> Client:
    """A client on the public host signed in as operator staff."""
    client = Client(HTTP_HOST=PUBLIC_HOST)
    with schema_context("public"):
        client.force_login(operator, backend="identity.backends.EmailBackend")
    return client
