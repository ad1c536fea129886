"""Settings → Workspace: who may change it, what it refuses (naming the field), that it stays in
its own tenant, and that every change is in the audit log."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from identity.models import AuditEntry
from identity.services.api_keys import create_api_key
from modules.dataio.exports.tenant_export import tables
from modules.workspace.logo import LOGO_MAX_BYTES, read_logo
from modules.workspace.models import WorkspaceProfile
from tenants.models import Tenant
from tests.tenancy import REP_EMAIL, TenantFixture, schema_snapshot, with_session_of

pytestmark = pytest.mark.usefixtures("private_files")

VALID = {
    "name": "Alpha Trading SRL",
    "street": "Strada Lungă 5",
    "postal_code": "010101",
    "city": "București",
    "region": "Ilfov",
    "country": "ro",
    "tax_id": "RO12345678",
    "bank_account_holder": "Alpha Trading SRL",
    "bank_name": "Banca Transilvania",
    "iban": "ro49 aaaa 1b31 0075 9384 0000",
    "bank_details_extra": "SWIFT: BTRLRO22",
    "currency": "RON",
    "time_zone": "Europe/Bucharest",
    "date_format": "d.m.Y",
    "fiscal_year_start_month": "4",
    "working_days": ["0", "1", "2", "3"],
    "working_hours_start": "08:30",
    "working_hours_end": "16:30",
}


@pytest.fixture
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    return settings.PRIVATE_FILES_ROOT


def png(width: int = 40, height: int = 20, image_format: str = "PNG") -> bytes:
    out = BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format=image_format)
    return out.getvalue()


def test_an_admin_saves_the_workspace_and_the_audit_log_names_what_changed(alpha: TenantFixture):
    response = alpha.client().post("/settings/workspace/", VALID)

    assert response.status_code == 302
    tenant = Tenant.objects.get(pk=alpha.tenant.pk)
    assert (tenant.name, tenant.currency, tenant.time_zone) == ("Alpha Trading SRL", "RON", "Europe/Bucharest")
    with alpha.active():
        profile = WorkspaceProfile.objects.get()
        entry = AuditEntry.objects.get(action="workspace.updated")
    assert profile.iban == "RO49AAAA1B31007593840000"
    assert profile.country == "RO"
    assert profile.working_days == [0, 1, 2, 3]
    assert profile.fiscal_year_start_month == 4
    assert profile.address_lines == ["Strada Lungă 5", "010101 București", "Ilfov", "RO"]
    assert "IBAN: RO49 AAAA 1B31 0075 9384 0000" in profile.bank_lines
    assert entry.actor == "admin@example.test"
    assert {"name", "currency", "iban", "tax_id", "working_days"} <= set(entry.details["fields"])
    page = alpha.client().get("/settings/workspace/").content.decode()
    assert 'value="Alpha Trading SRL"' in page
    assert 'value="RO49AAAA1B31007593840000"' in page


def test_saving_the_same_values_again_writes_no_audit_entry(alpha: TenantFixture):
    client = alpha.client()
    client.post("/settings/workspace/", VALID)
    client.post("/settings/workspace/", VALID)

    with alpha.active():
        assert AuditEntry.objects.filter(action="workspace.updated").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("iban", "RO49AAAA1B31007593840001", "check digits"),
        ("iban", "not an iban", "Enter an IBAN"),
        ("working_hours_end", "08:00", "must end after it starts"),
        ("name", "", "required"),
        ("name", "x" * 5000, "at most 200"),
        ("street", "Strada\x00Lungă", "Null characters"),
        ("tax_id", "RO\x0712", "control character"),
        ("currency", "XXX", "Select a valid choice"),
        ("time_zone", "Mars/Olympus", "Select a valid choice"),
        ("working_days", ["9"], "Select a valid choice"),
        ("fiscal_year_start_month", "13", "Select a valid choice"),
        ("working_hours_start", "25:99", "Enter a valid time"),
        ("bank_details_extra", "x" * 5000, "at most 1000"),
        ("country", "Romania", "at most 2"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(alpha: TenantFixture, field, value, message):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)
    name_before = Tenant.objects.get(pk=alpha.tenant.pk).name

    response = client.post("/settings/workspace/", {**VALID, field: value})

    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field}-errors"' in page
    assert message in page
    assert schema_snapshot(alpha.tenant) == before
    assert Tenant.objects.get(pk=alpha.tenant.pk).name == name_before


def test_a_role_without_the_permission_gets_403_and_an_api_key_is_no_credential_here(alpha: TenantFixture, make_user):
    make_user("manager", "mia@example.test")
    with alpha.active():
        _key, plaintext = create_api_key(user=alpha.user(), name="Key", scopes=["sales:read", "sales:write"])
    as_rep = alpha.client(REP_EMAIL)
    as_manager = alpha.client("mia@example.test")
    before = schema_snapshot(alpha.tenant)
    with_key = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    responses = [
        as_rep.get("/settings/workspace/"),
        as_rep.post("/settings/workspace/", VALID),
        as_manager.post("/settings/workspace/", VALID),
        as_rep.post("/settings/workspace/logo/upload/", {"logo": SimpleUploadedFile("l.png", png())}),
        as_rep.post("/settings/workspace/logo/remove/"),
        as_rep.get("/settings/workspace/logo/"),
    ]
    by_key = [with_key.get("/settings/workspace/"), with_key.post("/settings/workspace/", VALID)]

    assert [r.status_code for r in responses] == [403] * 6
    assert [r.status_code for r in by_key] == [302, 302]
    assert all(r["Location"].startswith("/login/") for r in by_key)
    assert schema_snapshot(alpha.tenant) == before
    assert Tenant.objects.get(pk=alpha.tenant.pk).name != VALID["name"]


def test_each_tenant_has_its_own_workspace_and_a_stolen_session_means_nothing_on_another_host(
    alpha: TenantFixture, beta: TenantFixture
):
    alpha.client().post("/settings/workspace/", VALID)
    alpha.client().post("/settings/workspace/logo/upload/", {"logo": SimpleUploadedFile("l.png", png())})
    beta_admin = beta.client()
    stolen = with_session_of(alpha.client(), beta.host)
    beta_before = schema_snapshot(beta.tenant)

    beta_page = beta_admin.get("/settings/workspace/")
    beta_logo = beta_admin.get("/settings/workspace/logo/")
    stolen_post = stolen.post("/settings/workspace/", {**VALID, "name": "Hijacked"})

    assert beta_page.status_code == 200
    assert "Alpha Trading SRL" not in beta_page.content.decode()
    assert beta_logo.status_code == 404
    assert stolen_post.status_code == 302
    assert stolen_post["Location"].startswith("/login/")
    assert Tenant.objects.get(pk=beta.tenant.pk).name != "Hijacked"
    assert schema_snapshot(beta.tenant) == beta_before
    with beta.active():
        assert not WorkspaceProfile.objects.exists()


def test_a_logo_is_checked_re_encoded_stored_per_schema_and_served_to_admins(alpha: TenantFixture, private_files):
    client = alpha.client()

    response = client.post(
        "/settings/workspace/logo/upload/", {"logo": SimpleUploadedFile("l.jpg", png(1600, 400, "JPEG"))}
    )
    served = client.get("/settings/workspace/logo/")

    assert response.status_code == 302
    with alpha.active():
        profile = WorkspaceProfile.objects.get()
        stored = read_logo(profile.logo)
        entry = AuditEntry.objects.get(action="workspace.logo_changed")
    assert profile.logo.startswith(f"workspace/{alpha.tenant.schema_name}/logo-")
    assert (private_files / profile.logo).is_file()
    assert stored is not None
    with Image.open(BytesIO(stored)) as image:
        assert (image.format, image.size) == ("PNG", (800, 200))
    assert entry.actor == "admin@example.test"
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served.content == stored

    client.post("/settings/workspace/logo/remove/")
    with alpha.active():
        assert WorkspaceProfile.objects.get().logo == ""
        assert AuditEntry.objects.filter(action="workspace.logo_removed").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "PNG, JPEG, GIF or WebP",
        ),
        ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "PNG, JPEG, GIF or WebP"),
        ("logo.tiff", png(image_format="TIFF"), "PNG, JPEG, GIF or WebP"),
        ("huge.png", b"\x00" * (LOGO_MAX_BYTES + 1), "at most 2 MB"),
        ("wide.png", png(6000, 5000), "too large"),
    ],
)
def test_a_bad_logo_is_refused_on_the_logo_field_and_nothing_is_stored(
    alpha: TenantFixture, private_files, name, content, message
):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post("/settings/workspace/logo/upload/", {"logo": SimpleUploadedFile(name, content)})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_logo-errors"' in page
    assert message in page
    assert schema_snapshot(alpha.tenant) == before
    assert not (private_files / "workspace").exists() or not any((private_files / "workspace").rglob("*.png"))


def test_the_settings_page_costs_the_same_queries_however_much_is_set(
    alpha: TenantFixture, django_assert_max_num_queries
):
    client = alpha.client()
    client.get("/settings/workspace/")
    with django_assert_max_num_queries(12):
        assert client.get("/settings/workspace/").status_code == 200
    client.post("/settings/workspace/", VALID)
    with django_assert_max_num_queries(12):
        assert client.get("/settings/workspace/").status_code == 200


def test_the_full_export_carries_the_workspace_profile_and_quote_links_without_their_token_hash(alpha: TenantFixture):
    alpha.client().post("/settings/workspace/", VALID)

    with alpha.active():
        exported = {table.name: table for table in tables()}
        rows = list(exported["workspace_workspaceprofile"].queryset)

    assert [row["tax_id"] for row in rows] == ["RO12345678"]
    assert "sales_quoteshare" in exported
    assert "token_hash" not in exported["sales_quoteshare"].columns
