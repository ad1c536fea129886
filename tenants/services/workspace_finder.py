"""Which workspaces an e-mail address signs in to, for the public "Sign in" page.

The page answers the same whether or not the address has an account anywhere; the answer goes
by e-mail to that address only, so only its owner learns which workspaces it belongs to."""

from __future__ import annotations

from django.db import connection

from identity.models import User
from tenants.models import Tenant
from tenants.services.fleet import served_tenants
from tenants.validators import validate_schema_name

# Every tenant schema is asked in one statement, so the page's cost does not grow per tenant
# by a round trip; the fleet is read in batches to keep the statement bounded.
BATCH = 200


def workspaces_of(email: str) -> list[Tenant]:
    """The served workspaces where ``email`` is an active user, by name."""
    email = email.strip().lower()
    if not email:
        return []
    tenants = list(served_tenants().order_by("name", "id"))
    table = connection.ops.quote_name(User._meta.db_table)
    found: set[int] = set()
    for start in range(0, len(tenants), BATCH):
        batch = tenants[start : start + BATCH]
        parts, params = [], []
        for tenant in batch:
            validate_schema_name(tenant.schema_name)  # an identifier in the statement below
            schema = connection.ops.quote_name(tenant.schema_name)
            parts.append(
                f"SELECT %s WHERE EXISTS (SELECT 1 FROM {schema}.{table} WHERE lower(email) = %s AND is_active)"  # noqa: S608
            )
            params += [tenant.pk, email]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            found.update(row[0] for row in cursor.fetchall())
    return [tenant for tenant in tenants if tenant.pk in found]
