"""Custom fields on the company and contact forms and record pages."""

from identity.models import User
from modules.contacts.models import Company, Contact
from tests.customization.pages.conftest import REGIONS, define
from tests.factories import CompanyFactory, ContactFactory
from tests.page_text import text_after
from tests.tenancy import TenantFixture


def _contact_form(**extra: str) -> dict[str, str]:
    return {"first_name": "Ada", "last_name": "Lovelace", "lifecycle_stage": "lead", **extra}


def test_the_contact_form_shows_custom_fields_by_section_and_position(alpha: TenantFixture):
    with alpha.active():
        define("contact", "size", "number", label="Team size", section="Profile", position=2, help_text="Heads")
        define("contact", "region", "single_select", options=REGIONS, section="Profile", position=1, required=True)
        define("contact", "birthday", "date", section="Personal", position=3)
        define("contact", "retired", "text", archived_at="2026-01-01T00:00:00Z")
        define("company", "tier", "text")

    html = alpha.client().get("/contacts/new/").content.decode()

    assert html.index('name="custom_region"') < html.index('name="custom_size"') < html.index('name="custom_birthday"')
    assert 'data-testid="custom-fields-profile"' in html
    assert 'type="text" name="custom_birthday"' in html  # typed in the reader's format
    assert "Heads" in html
    assert "custom_retired" not in html
    assert "custom_tier" not in html
    assert '<option value="north">North</option>' in html


def test_a_contact_is_created_and_edited_with_custom_values(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        define("contact", "region", "single_select", options=REGIONS)
        define("contact", "topics", "multi_select", options=REGIONS)
        define("contact", "score", "decimal")
        define("contact", "vip", "boolean")
        define("contact", "met_at", "datetime")
        define("contact", "budget", "money", currency="EUR")
        define("contact", "buddy", "user")
        define("contact", "employer", "reference", reference_entity="company")
        company = CompanyFactory(name="Acme", owner=admin)
        User.objects.filter(pk=admin.pk).update(time_zone="Europe/Bucharest")
    client = alpha.client()

    response = client.post(
        "/contacts/new/",
        _contact_form(
            custom_region="north",
            custom_topics=["north", "south"],
            custom_score="2.5",
            custom_vip="on",
            custom_met_at="2026-05-01T09:30",
            custom_budget_0="1200.5",
            custom_budget_1="USD",
            custom_buddy=str(admin.pk),
            custom_employer=str(company.pk),
        ),
    )

    assert response.status_code == 302
    with alpha.active():
        contact = Contact.objects.get(full_name="Ada Lovelace")
    assert contact.custom == {
        "region": "north",
        "topics": ["north", "south"],
        "score": "2.5",
        "vip": True,
        "met_at": "2026-05-01T06:30:00Z",
        "budget": {"amount": "1200.50", "currency": "USD"},
        "buddy": admin.pk,
        "employer": company.pk,
    }
    edit = client.get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert 'value="2026-05-01T09:30"' in edit  # shown back in the user's zone
    assert '<option value="north" selected>North</option>' in edit
    assert 'value="1200.50"' in edit

    response = client.post(
        f"/contacts/{contact.pk}/edit/",
        _contact_form(custom_region="south", custom_score="", custom_budget_0="", custom_budget_1="EUR"),
    )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.custom == {"region": "south", "vip": False}


def test_a_validator_error_is_shown_on_its_field_and_nothing_is_saved(alpha: TenantFixture):
    with alpha.active():
        define("contact", "badge", "text", is_unique=True, label="Badge number")
        ContactFactory(custom={"badge": "B-1"})
        before = Contact.objects.count()

    response = alpha.client().post("/contacts/new/", _contact_form(custom_badge="B-1"))

    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-custom_badge">Another record already has this value.' in html
    assert 'name="custom_badge" value="B-1"' in html
    with alpha.active():
        assert Contact.objects.count() == before


def test_a_required_custom_field_left_empty_is_refused_by_name(alpha: TenantFixture):
    with alpha.active():
        define("company", "tier", "single_select", options=REGIONS, required=True, label="Tier")

    response = alpha.client().post("/companies/new/", {"name": "Initech", "lifecycle_stage": "lead"})

    assert response.status_code == 400
    assert 'data-testid="error-custom_tier">This field is required.' in response.content.decode()
    with alpha.active():
        assert not Company.objects.filter(name="Initech").exists()


def test_a_company_page_shows_its_custom_values_for_people(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        define("company", "region", "single_select", options=REGIONS, label="Region")
        define("company", "arr", "money", label="ARR")
        define("company", "since", "date", label="Customer since")
        define("company", "notes", "text", label="Notes")
        define("company", "account_manager", "user", label="Account manager")
        parent = CompanyFactory(name="Parent Group", owner=admin)
        define("company", "parent", "reference", reference_entity="company", label="Parent")
        company = CompanyFactory(
            name="Acme",
            owner=admin,
            custom={
                "region": "north",
                "arr": {"amount": "12000.00", "currency": "EUR"},
                "since": "2024-03-01",
                "account_manager": admin.pk,
                "parent": parent.pk,
            },
        )

    html = alpha.client().get(f"/companies/{company.pk}/").content.decode()

    assert text_after(html, 'data-testid="custom-region">', "</dd>") == "North"
    assert text_after(html, 'data-testid="custom-arr">', "</dd>") == "12,000.00 EUR"
    assert text_after(html, 'data-testid="custom-since">', "</dd>") == "1 Mar 2024"
    assert text_after(html, 'data-testid="custom-account_manager">', "</dd>") == f"{admin}"
    assert f'<a href="/companies/{parent.pk}/">Parent Group</a>' in html
    assert text_after(html, 'data-testid="custom-notes">', "</dd>") == "—"
