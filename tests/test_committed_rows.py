"""What a test that commits leaves in the shared tenants' logs is removed after it, and nothing older
(``tests/committed_rows.py``)."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

from django.db import connection
from django_tenants.utils import schema_context

from identity.models import AuditEntry
from identity.services.audit import record_audit
from modules.activities.models import Notification
from tenants.models import Tenant
from tests.committed_rows import commits, remove_rows_above, watermarks
from tests.tenancy import TenantFixture


def _item(nodeid: str, *fixtures: str, marked: bool = False) -> Any:
    return SimpleNamespace(
        nodeid=nodeid,
        fixturenames=list(fixtures),
        get_closest_marker=lambda name: object() if marked and name == "django_db" else None,
    )


def test_only_tests_that_commit_outside_the_browser_unit_are_cleaned_after():
    assert commits(_item("tests/a/test_x.py::t", "django_db_setup", "committed_alpha"))
    assert not commits(_item("tests/a/test_x.py::t", "django_db_setup", "db", "alpha"))
    assert not commits(_item("tests/a/test_x.py::t", "django_db_setup", "transactional_db"))
    assert not commits(_item("tests/a/test_x.py::t", "django_db_setup", marked=True))
    assert not commits(_item("tests/a/test_x.py::t", "eager_tasks"))  # no database at all
    assert not commits(_item("tests/browser/test_x.py::t", "django_db_setup", "live_demo"))


def test_the_log_rows_written_after_the_watermarks_are_removed_and_only_they(django_db_setup, django_db_blocker):
    marker = uuid.uuid4().hex[:8]
    with django_db_blocker.unblock():
        alpha = TenantFixture(Tenant.objects.get(slug="alpha"))
        with alpha.active():
            before = Notification.objects.create(
                recipient=alpha.user(), kind="reminder", title="Before", dedupe_key=f"committed-rows:{marker}:before"
            )
        try:
            marks = watermarks()
            with alpha.active():
                after = Notification.objects.create(
                    recipient=alpha.user(), kind="reminder", title="After", dedupe_key=f"committed-rows:{marker}:after"
                )
            with schema_context("public"):
                entry = record_audit("test.committed", "Written by a committing test", actor="system:test")

            remove_rows_above(marks)

            with alpha.active():
                assert Notification.objects.filter(pk=before.pk).exists()
                assert not Notification.objects.filter(pk=after.pk).exists()
            assert not AuditEntry.objects.filter(pk=entry.pk).exists()
            assert connection.schema_name == "public"
        finally:
            with alpha.active():
                Notification.objects.filter(dedupe_key__startswith=f"committed-rows:{marker}:").delete()
            connection.set_schema_to_public()
