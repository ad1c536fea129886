"""vCard export and import of contacts."""

from django.core.files.uploadedfile import SimpleUploadedFile

from modules.contacts.models import Contact
from tests.factories import CompanyFactory, ContactFactory
from tests.tenancy import REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot


def _upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("cards.vcf", text.encode(), content_type="text/vcard")


def test_a_contact_round_trips_through_vcard(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        company = CompanyFactory(name="Analytical Engines", owner=alpha.user())
        contact = ContactFactory(first_name="Ada", last_name="Lovelace", email="ada@engines.example", phone="+44 20 1",
                                 additional_emails=["ada@home.example"], job_title="Analyst", company=company,
                                 street="1 St James's Sq", city="London", postal_code="SW1", country="GB",
                                 owner=alpha.user())  # fmt: skip
    with beta.active():
        CompanyFactory(name="Analytical Engines", owner=beta.user())

    exported = alpha.client().get(f"/contacts/{contact.pk}/vcard/")
    imported = beta.client().post("/contacts/import/", {"file": _upload(exported.content.decode())})

    assert exported["Content-Type"] == "text/vcard; charset=utf-8"
    assert exported["Content-Disposition"] == 'attachment; filename="ada-lovelace.vcf"'
    assert imported.status_code == 200
    assert 'data-status="updated"' not in imported.content.decode()
    with beta.active():
        copy = Contact.objects.select_related("company").get()
        assert (copy.first_name, copy.last_name, copy.email, copy.additional_emails, copy.phone, copy.job_title) == (
            "Ada", "Lovelace", "ada@engines.example", ["ada@home.example"], "+44 20 1", "Analyst",
        )  # fmt: skip
        assert (copy.company.name, copy.street, copy.city, copy.postal_code, copy.country, copy.source) == (
            "Analytical Engines", "1 St James's Sq", "London", "SW1", "GB", "import",
        )  # fmt: skip


def test_the_filtered_list_is_exported(alpha: TenantFixture):
    with alpha.active():
        ContactFactory(first_name="Kept", last_name="One", lifecycle_stage="customer", owner=alpha.user())
        ContactFactory(first_name="Left", last_name="Out", lifecycle_stage="lead", owner=alpha.user())

    response = alpha.client().get("/contacts/export.vcf", {"lifecycle_stage": "customer"})
    body = b"".join(response.streaming_content).decode()

    assert body.count("BEGIN:VCARD") == 1
    assert "FN:Kept One" in body


def test_an_unreadable_file_is_refused_with_a_clear_error_and_nothing_is_imported(alpha: TenantFixture):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    unreadable = client.post("/contacts/import/", {"file": _upload("this is not a vcard")})

    assert unreadable.status_code == 400
    assert unreadable.context["form"].errors["file"] == ["This is not a readable vCard file: it holds no BEGIN:VCARD."]
    assert schema_snapshot(alpha.tenant) == before


def test_another_tenant_cannot_export_a_contact(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        contact = ContactFactory(owner=alpha.user())

    assert_cross_tenant_requests_fail(alpha, beta, [("get", f"/contacts/{contact.pk}/vcard/", {})])


def test_the_list_vcard_export_needs_the_export_permission(alpha: TenantFixture):
    with alpha.active():
        ContactFactory(first_name="Mine", last_name="Rep", owner=alpha.user(REP_EMAIL))
    rep = alpha.client(email=REP_EMAIL)

    response = rep.get("/contacts/export.vcf")
    page = rep.get("/contacts/").content.decode()

    assert response.status_code == 403
    assert "Export record lists to files" in response.content.decode()
    assert "BEGIN:VCARD" not in response.content.decode()
    assert 'data-testid="export-vcf"' not in page


def test_one_contacts_vcard_needs_only_the_view_permission(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(first_name="Mine", last_name="Rep", owner=alpha.user(REP_EMAIL))

    response = alpha.client(email=REP_EMAIL).get(f"/contacts/{contact.pk}/vcard/")

    assert response.status_code == 200
    assert "FN:Mine Rep" in response.content.decode()
