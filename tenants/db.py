"""The default connection, typed as the django-tenants wrapper it is at run time."""

from typing import cast

from django.db import connection
from django_tenants.postgresql_backend.base import DatabaseWrapper


def tenant_connection() -> DatabaseWrapper:
    return cast(DatabaseWrapper, connection)
