"""The log rows a test that commits leaves behind: removed after it, whatever the test did.

Most tests run inside a transaction that is rolled back. A test that commits (real workers, a
gunicorn, concurrent transactions) writes for real, and whatever its services wrote on the side
stays: the domain events, audit entries, notifications and timeline entries of the records it
made. Its fixtures remove the records they name; these side rows nobody names. Under ``make
test``'s parallel processes a file that commits runs before other files of the same process (in
one process pytest-django orders the tests that do not roll back last), and a later test counting
alpha's notifications or the platform's audit entries would count them too.

So the highest id of each of these tables is taken before such a test, in the schemas the tests
share (alpha, beta, and the public schema's audit log), and every row above it is deleted once the
test's own fixtures are torn down (``tests/suite_rules.py``). Each pytest process has its own
database, so nothing else writes there meanwhile. The browser tests are left alone: they share one
committed demo tenant on purpose, and run last.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django_tenants.utils import schema_context

# The tenants every process provisions (``tests/conftest.py``, ISOLATION_SLUGS).
SHARED_TENANTS = ("alpha", "beta")

# pytest-django's fixtures that wrap a test in a transaction it rolls back (or flushes after).
IN_TEST_TRANSACTION = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}
)

Watermarks = dict[tuple[str, str], int]


def _log_models() -> dict[str, Any]:
    from customization.events.models import DomainEvent
    from identity.models import AuditEntry
    from modules.activities.models import Notification
    from modules.contacts.models import TimelineEntry

    return {
        "events.DomainEvent": DomainEvent,
        "identity.AuditEntry": AuditEntry,
        "activities.Notification": Notification,
        "contacts.TimelineEntry": TimelineEntry,
    }


def commits(item: Any) -> bool:
    """Whether ``item`` uses the test database outside a rolled-back test transaction."""
    names = set(getattr(item, "fixturenames", ()))
    if "django_db_setup" not in names or names & IN_TEST_TRANSACTION:
        return False
    if item.get_closest_marker("django_db") is not None:
        return False
    return not item.nodeid.startswith("tests/browser/")


def _places() -> list[tuple[str, list[str]]]:
    """(schema, labels of the log models kept there)."""
    from tenants.models import Tenant

    tenant_schemas = list(
        Tenant.objects.filter(slug__in=SHARED_TENANTS).order_by("slug").values_list("schema_name", flat=True)
    )
    every_log = list(_log_models())
    return [("public", ["identity.AuditEntry"]), *((schema, every_log) for schema in tenant_schemas)]


def watermarks() -> Watermarks:
    """The highest id of each log table in each shared schema, now."""
    models = _log_models()
    marks: Watermarks = {}
    for schema, labels in _places():
        with schema_context(schema):
            for label in labels:
                marks[(schema, label)] = models[label].objects.order_by("-id").values_list("id", flat=True).first() or 0
    connection.set_schema_to_public()
    return marks


def remove_rows_above(marks: Watermarks) -> None:
    """Delete the log rows written since ``marks`` were taken."""
    assert connection.settings_dict["NAME"].startswith("test_"), "refusing to delete outside the test database"
    models = _log_models()
    for (schema, label), highest in marks.items():
        with schema_context(schema):
            models[label].objects.filter(id__gt=highest).delete()
    connection.set_schema_to_public()
