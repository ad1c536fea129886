"""Importing address books as real programs export them (fixtures in ``vcards/``): every card on its
own, organisations as companies, groups as tags, phone numbers normalised, existing contacts matched
by e-mail, then phone, then name, and a report line per card."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from modules.contacts.models import Company, Contact
from modules.workspace.models import PROFILE_ID, WorkspaceProfile
from tests.factories import ContactFactory
from tests.tenancy import REP_EMAIL, TenantFixture, revoke, schema_snapshot, with_session_of

FILES = Path(__file__).parent / "vcards"


def _file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FILES / name).read_bytes(), content_type="text/vcard")


def _text(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("cards.vcf", text.replace("\n", "\r\n").encode(), content_type="text/vcard")


def _report(response) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(outcome.label, outcome.status, outcome.reason) for outcome in response.context["report"].outcomes]


def _in_region(tenant: TenantFixture, country: str) -> None:
    with tenant.active():
        WorkspaceProfile.objects.update_or_create(pk=PROFILE_ID, defaults={"country": country})


def test_an_outlook_21_file_in_windows_1252_with_quoted_printable_imports(alpha: TenantFixture):
    _in_region(alpha, "DE")

    response = alpha.client().post("/contacts/import/", {"file": _file("outlook.vcf")})

    assert response.status_code == 200
    assert [(label, status) for label, status, _reason in _report(response)] == [
        ("Jörg Müller", "imported"), ("Bäckerei Süß GmbH", "imported"), ("Björn Schön", "imported"),
    ]  # fmt: skip
    with alpha.active():
        jorg = Contact.objects.select_related("company").get(email="joerg.mueller@baeckerei-suess.example")
        company = Company.objects.get()
        assert (jorg.first_name, jorg.last_name, jorg.department, jorg.street) == (
            "Jörg", "Müller", "Vertrieb", "Hauptstraße 5",
        )  # fmt: skip
        assert jorg.description == "Bevorzugt Anrufe vormittags.\nGrüße an die Familie."
        assert (jorg.phone, jorg.additional_phones) == ("+49 30 1234567", ["+49 171 2345678"])
        assert jorg.company == company
        assert (company.name, company.email, company.phone) == (
            "Bäckerei Süß GmbH", "info@baeckerei-suess.example", "+49 30 7654321",
        )  # fmt: skip
        assert Contact.objects.get(email="bjoern@schoen.example").full_name == "Björn Schön"


def test_a_google_export_imports_around_a_bad_card_and_names_its_field(alpha: TenantFixture):
    response = alpha.client().post("/contacts/import/", {"file": _file("google.vcf")})

    assert _report(response) == [
        ("Ana Popescu", "imported", ""),
        ("newsletter@shop.example", "imported", ""),
        ("Broken Address", "skipped", "email: Enter a valid email address."),
        ("Fabrica de Idei", "imported", ""),
    ]
    html = response.content.decode()
    assert "3 cards imported." in html
    with alpha.active():
        ana = Contact.objects.select_related("company").get(last_name="Popescu")
        assert ana.additional_emails == ["ana@fabrica.example"]
        assert ana.description == "Met at the Cluj meetup, wants a demo."
        assert (ana.company.name, ana.country, ana.phone) == ("Fabrica de Idei", "RO", "+40 721 234 567")
        assert Company.objects.get().phone == "+40 264 123 456"
        assert not Contact.objects.filter(last_name="Address").exists()


def test_apple_company_cards_become_companies_with_their_people_and_groups_tag_members(alpha: TenantFixture):
    response = alpha.client().post("/contacts/import/", {"file": _file("apple.vcf")})

    statuses = [(label, status) for label, status, _reason in _report(response)]
    assert statuses == [
        ("Ada Lovelace", "imported"), ("Analytical Engines Ltd", "imported"), ("Charles Babbage", "imported"),
        ("Engines board", "skipped"),
    ]  # fmt: skip
    with alpha.active():
        company = Company.objects.get()
        assert (company.name, company.website) == ("Analytical Engines Ltd", "https://engines.example")
        ada = Contact.objects.get(last_name="Lovelace")
        assert (ada.department, ada.city, ada.country) == ("Research", "London", "GB")
        people = Contact.objects.filter(company=company).order_by("last_name")
        assert [person.full_name for person in people] == ["Charles Babbage", "Ada Lovelace"]
        assert [sorted(tag.name for tag in person.tags.all()) for person in people] == [
            ["Engines board"],
            ["Engines board"],
        ]
        assert Contact.objects.count() == 2  # the group and the company are nobody


def test_thunderbird_40_cards_read_tel_uris_org_and_group_kinds(alpha: TenantFixture):
    response = alpha.client().post("/contacts/import/", {"file": _file("thunderbird.vcf")})

    assert [status for _label, status, _reason in _report(response)] == ["imported", "imported", "skipped"]
    with alpha.active():
        grace = Contact.objects.select_related("company").get()
        assert (grace.phone, grace.additional_phones) == ("+1 202-555-0143 ext. 12", ["+1 202-555-0178"])
        assert (grace.company.name, grace.company.email) == ("Compiler Corp.", "info@compiler.example")
        assert [tag.name for tag in grace.tags.all()] == ["Navy friends"]


def test_an_evolution_list_is_no_person_and_tags_its_members(alpha: TenantFixture):
    response = alpha.client().post("/contacts/import/", {"file": _file("evolution.vcf")})

    report = _report(response)
    assert [status for _label, status, _reason in report] == ["imported", "skipped"]
    assert report[1][2].startswith("A contact group, not a person")
    with alpha.active():
        linus = Contact.objects.get()
        assert linus.description == "Prefers plain-text e-mail.\nNo HTML please."
        assert [tag.name for tag in linus.tags.all()] == ["Kernel folks"]


def test_existing_contacts_are_matched_by_email_then_phone_then_name_and_completed(alpha: TenantFixture):
    _in_region(alpha, "DE")
    with alpha.active():
        by_email = ContactFactory(first_name="Jörg", last_name="M.", email="JOERG.MUELLER@baeckerei-suess.example",
                                  phone="", job_title="", owner=alpha.user())  # fmt: skip
        by_phone = ContactFactory(first_name="B", last_name="S", email="", phone="030 555 1234", owner=alpha.user())
        by_name = ContactFactory(first_name="Clara", last_name="Zetkin", email="", phone="", owner=alpha.user())
    cards = """BEGIN:VCARD
VERSION:3.0
N:Müller;Jörg;;;
EMAIL:joerg.mueller@baeckerei-suess.example
TEL:0171 2345678
TITLE:Verkaufsleiter
END:VCARD
BEGIN:VCARD
VERSION:3.0
N:Schön;Björn;;;
TEL:+49 30 5551234
EMAIL:bjoern@schoen.example
END:VCARD
BEGIN:VCARD
VERSION:3.0
N:Zetkin;Clara;;;
NOTE:Editor
END:VCARD
"""

    response = alpha.client().post("/contacts/import/", {"file": _text(cards)})

    assert [status for _label, status, _reason in _report(response)] == ["updated", "updated", "updated"]
    with alpha.active():
        assert Contact.objects.count() == 3
        by_email.refresh_from_db()
        by_phone.refresh_from_db()
        by_name.refresh_from_db()
    assert (by_email.last_name, by_email.phone, by_email.job_title) == ("M.", "+49 171 2345678", "Verkaufsleiter")
    assert (by_phone.email, by_phone.phone) == ("bjoern@schoen.example", "030 555 1234")
    assert by_name.description == "Editor"
    again = alpha.client().post("/contacts/import/", {"file": _text(cards)})
    assert [status for _label, status, _reason in _report(again)] == ["skipped"] * 3
    assert _report(again)[0][2].startswith("Nothing new")


def test_similar_names_with_different_addresses_are_different_people(alpha: TenantFixture):
    with alpha.active():
        for number in range(5):
            ContactFactory(first_name="Person", last_name=f"Number {number}", email=f"old{number}@example.com",
                           owner=alpha.user())  # fmt: skip
    cards = "".join(
        f"BEGIN:VCARD\nVERSION:3.0\nN:Number {n};Person;;;\nEMAIL:new{n}@example.com\nEND:VCARD\n" for n in range(5)
    )

    response = alpha.client().post("/contacts/import/", {"file": _text(cards)})

    assert [status for _label, status, _reason in _report(response)] == ["imported"] * 5
    with alpha.active():
        assert Contact.objects.count() == 10


def test_a_card_matching_a_contact_the_importer_cannot_see_is_skipped_without_naming_it(alpha: TenantFixture):
    with alpha.active():
        hidden = ContactFactory(first_name="Secret", last_name="Person", email="secret@example.com",
                                owner=alpha.user())  # fmt: skip
    card = "BEGIN:VCARD\nVERSION:3.0\nN:Else;Someone;;;\nEMAIL:secret@example.com\nEND:VCARD\n"

    response = alpha.client(email=REP_EMAIL).post("/contacts/import/", {"file": _text(card)})

    assert _report(response) == [("Someone Else", "skipped", "It matches a contact you cannot see.")]
    assert "Secret" not in response.content.decode()
    with alpha.active():
        hidden.refresh_from_db()
        assert (hidden.full_name, Contact.objects.count()) == ("Secret Person", 1)


def test_the_same_person_twice_in_a_file_is_imported_once(alpha: TenantFixture):
    cards = "".join(f"BEGIN:VCARD\nVERSION:3.0\nFN:Ada {n}\nEMAIL:ada@example.com\nEND:VCARD\n" for n in range(2))

    response = alpha.client().post("/contacts/import/", {"file": _text(cards)})

    assert _report(response) == [
        ("Ada 0", "imported", ""),
        ("Ada 1", "skipped", "The same e-mail address as card 1."),
    ]


def test_a_utf16_windows_file_imports(alpha: TenantFixture):
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë Ångström\r\nEND:VCARD\r\n"
    upload = SimpleUploadedFile("cards.vcf", text.encode("utf-16"), content_type="text/vcard")

    response = alpha.client().post("/contacts/import/", {"file": upload})

    assert _report(response) == [("Zoë Ångström", "imported", "")]


def test_the_import_costs_the_same_queries_for_5_or_50_cards(alpha: TenantFixture):
    client = alpha.client()

    def cards(start: int, count: int) -> SimpleUploadedFile:
        return _text("".join(
            f"BEGIN:VCARD\nVERSION:3.0\nN:Last{n};First{n};;;\nEMAIL:p{n}@example.com\nTEL:+40 721 000 {n:03d}\n"
            f"ORG:Org {n}\nEND:VCARD\n" for n in range(start, start + count)
        ))  # fmt: skip

    client.post("/contacts/import/", {"file": cards(0, 2)})  # warms the session and the caches
    with CaptureQueriesContext(connection) as small:
        client.post("/contacts/import/", {"file": cards(100, 5)})
    with CaptureQueriesContext(connection) as large:
        response = client.post("/contacts/import/", {"file": cards(200, 50)})

    assert response.context["report"].imported == 50
    assert len(response.context["report"].companies_created) == 50
    assert len(large.captured_queries) == len(small.captured_queries)


def test_importing_needs_the_change_permission(alpha: TenantFixture):
    revoke(alpha, "sales_rep", "contacts.change")
    rep = alpha.client(email=REP_EMAIL)  # signing in touches last_login: before the snapshot
    before = schema_snapshot(alpha.tenant)
    card = "BEGIN:VCARD\nVERSION:3.0\nFN:Nobody Allowed\nEND:VCARD\n"

    response = rep.post("/contacts/import/", {"file": _text(card)})

    assert response.status_code == 403
    assert schema_snapshot(alpha.tenant) == before


def test_a_session_of_another_tenant_cannot_import(alpha: TenantFixture, beta: TenantFixture):
    stolen = with_session_of(alpha.client(), beta.host)
    before = (schema_snapshot(alpha.tenant), schema_snapshot(beta.tenant))
    card = "BEGIN:VCARD\nVERSION:3.0\nFN:Intruder Card\nEND:VCARD\n"

    response = stolen.post("/contacts/import/", {"file": _text(card)})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert (schema_snapshot(alpha.tenant), schema_snapshot(beta.tenant)) == before
