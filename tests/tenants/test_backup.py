"""A tenant's backup and restore: back up, damage, restore — the schema equal to the original and
every record and file back; the same backup restored as a new tenant stands on its own (its own
schema, its own file keys); a damaged backup is refused and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_exists, tenant_context

from customization.fields.versions import bump_definitions_version, definitions_version
from identity.models import User
from modules.collaboration.models import Attachment
from modules.collaboration.models.attachment import attachment_storage
from modules.collaboration.services.attachments import add_attachment
from modules.contacts.models import Contact
from modules.contacts.services.data_subject import erase_contact
from tenants.choices import MigrationState
from tenants.models import ErasedRecord, Tenant
from tenants.services.backup import BackupError, backup_tenant, restore_as_new_tenant, restore_tenant
from tenants.services.provisioning import TenantRequest, provision_tenant, request_tenant, schema_fingerprint
from tests.factories import ContactFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _row_counts(schema: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'",
            [schema],
        )
        counts = {}
        for (table,) in sorted(cursor.fetchall()):
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')  # noqa: S608 - catalogue names
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def source(committed: None) -> Tenant:
    tenant = request_tenant(
        TenantRequest(name="Backed up", slug="scratch-backed", admin_email="admin@backed.test", admin_password="x" * 14)
    )
    provision_tenant(tenant.pk)
    tenant.refresh_from_db()
    with tenant_context(tenant):
        contact = ContactFactory(first_name="Ada", last_name="Kept")
        add_attachment(
            record=contact, upload=SimpleUploadedFile("terms.pdf", PDF, content_type="application/pdf"),
            by=User.objects.get(email="admin@backed.test"),
        )  # fmt: skip
    return tenant


def test_back_up_damage_restore_gives_the_same_schema_records_and_files(source: Tenant, tmp_path: Path) -> None:
    fingerprint, counts = schema_fingerprint(source.schema_name), _row_counts(source.schema_name)
    summary = backup_tenant(source, tmp_path / "backed.tar")
    assert summary.files == 1
    with tenant_context(source):
        key = Attachment.objects.get().storage_key
        Contact.objects.all().delete()  # the damage: records deleted (their files with them)…
    with connection.cursor() as cursor:  # …and a table gone
        cursor.execute(f'DROP TABLE "{source.schema_name}".contacts_tag CASCADE')
    attachment_storage().delete(key)

    assert restore_tenant(summary.path, source) == 1

    assert schema_fingerprint(source.schema_name) == fingerprint
    assert _row_counts(source.schema_name) == counts
    with tenant_context(source):
        assert Contact.objects.get().full_name == "Ada Kept"
        with attachment_storage().open(Attachment.objects.get().storage_key, "rb") as handle:
            assert handle.read() == PDF
    source.refresh_from_db()
    assert source.migration_state == MigrationState.CURRENT
    assert not schema_exists(f"{source.schema_name}_before_restore")


def test_a_backup_restored_as_a_new_tenant_stands_on_its_own(source: Tenant, tmp_path: Path) -> None:
    path = backup_tenant(source, tmp_path / "backed.tar").path

    copy = restore_as_new_tenant(path, slug="scratch-copy")

    assert copy.schema_name != source.schema_name
    assert schema_fingerprint(copy.schema_name) == schema_fingerprint(source.schema_name)
    with tenant_context(copy):
        attachment = Attachment.objects.get()
        assert attachment.storage_key.startswith(f"attachments/{copy.schema_name}/")
        with attachment_storage().open(attachment.storage_key, "rb") as handle:
            assert handle.read() == PDF
        assert Contact.objects.get().full_name == "Ada Kept"
    with tenant_context(source):
        assert Attachment.objects.get().storage_key.startswith(f"attachments/{source.schema_name}/")
    source.refresh_from_db()
    assert source.migration_state == MigrationState.CURRENT
    # The copy is served at its own host, and its users sign in there.
    response = Client(HTTP_HOST=copy.primary_host).post(
        "/login/", {"username": "admin@backed.test", "password": "x" * 14}
    )
    assert response.status_code == 302
    assert response["Location"] != "/login/"


def test_a_damaged_backup_is_refused_and_changes_nothing(source: Tenant, tmp_path: Path) -> None:
    path = backup_tenant(source, tmp_path / "backed.tar").path
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the dump
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(bytes(data))
    fingerprint = schema_fingerprint(source.schema_name)

    with pytest.raises(BackupError):
        restore_tenant(damaged, source)
    with pytest.raises(CommandError):
        call_command("restore_tenant", str(tmp_path / "missing.tar"), into=source.slug)

    assert schema_fingerprint(source.schema_name) == fingerprint
    source.refresh_from_db()
    assert source.migration_state == MigrationState.CURRENT
    assert not Tenant.objects.filter(slug="scratch-copy").exists()


def test_the_commands_back_up_and_restore(source: Tenant, tmp_path: Path) -> None:
    path = tmp_path / "cmd.tar"
    call_command("backup_tenant", source.slug, str(path))
    call_command("restore_tenant", str(path), into=source.slug)
    with pytest.raises(CommandError, match="restore it as a new tenant"):
        call_command("restore_tenant", str(path), into="alpha")


def test_a_restore_from_before_an_erasure_erases_the_person_again(source: Tenant, tmp_path: Path) -> None:
    with tenant_context(source):
        kept = ContactFactory(first_name="Bea", last_name="Stays")
    path = backup_tenant(source, tmp_path / "before-erasure.tar").path
    with tenant_context(source):
        erased = Contact.objects.get(last_name="Kept")
        erase_contact(erased, by=None)
    # Another tenant's erasure of a record with the same id is not this tenant's.
    other = ErasedRecord.objects.create(tenant=Tenant.objects.get(slug="alpha"), kind="contact", record_id=kept.pk)
    # The ledger names the record by kind and id: nothing personal outlives the erasure there.
    assert list(ErasedRecord.objects.filter(tenant=source).values_list("kind", "record_id")) == [("contact", erased.pk)]

    try:
        restore_tenant(path, source)
    finally:
        other.delete()

    with tenant_context(source):
        assert list(Contact.objects.values_list("last_name", flat=True)) == ["Stays"]
        assert not Attachment.objects.exists()
    assert ErasedRecord.objects.filter(tenant=source, record_id=erased.pk).count() == 1

    copy = restore_as_new_tenant(path, slug="scratch-copy")

    with tenant_context(copy):
        assert list(Contact.objects.values_list("last_name", flat=True)) == ["Stays"]
    # The copy remembers the erasure as its own: restoring the old backup into it erases again.
    assert ErasedRecord.objects.filter(tenant=copy, kind="contact", record_id=erased.pk).exists()


def test_an_erasure_that_cannot_be_applied_again_undoes_the_restore(source: Tenant, tmp_path: Path) -> None:
    path = backup_tenant(source, tmp_path / "backed.tar").path
    with tenant_context(source):
        ContactFactory(first_name="Cy", last_name="Later")
    ErasedRecord.objects.create(tenant=source, kind="no-such-kind", record_id=1)

    with pytest.raises(LookupError, match="no-such-kind"):
        restore_tenant(path, source)

    # The schema as it was before the restore is back, with what was written since the backup.
    with tenant_context(source):
        assert sorted(Contact.objects.values_list("last_name", flat=True)) == ["Kept", "Later"]
    source.refresh_from_db()
    assert source.migration_state == MigrationState.CURRENT
    assert not schema_exists(f"{source.schema_name}_before_restore")


def test_a_restored_tenants_definitions_version_moves_past_every_earlier_one(source: Tenant, tmp_path: Path) -> None:
    # Artefacts built from a tenant's custom fields (its GraphQL schema) are kept per version: the
    # backup's older number must not name the definitions the tenant had after it.
    with tenant_context(source):
        bump_definitions_version()
        at_backup = definitions_version()
    path = backup_tenant(source, tmp_path / "backed.tar").path
    with tenant_context(source):
        for _ in range(3):
            bump_definitions_version()
        before_restore = definitions_version()

    restore_tenant(path, source)

    with tenant_context(source):
        restored = definitions_version()
    assert restored > before_restore > at_backup
