"""REST records carry ``custom``: every active field's key with its stored value; POST and PATCH
take values of every type family, validated by the services; errors name ``custom.<key>``."""

import pytest

from customization.fields.choices import Entity, FieldType
from modules.activities.models import Activity
from modules.contacts.models import Company, Contact
from modules.sales.models import Deal, Lead
from tests.api.rest_crm.helpers import api_client, field_names, patch, post
from tests.api.rest_custom.conftest import OPTIONS, TAG_OPTIONS, archive, define
from tests.factories import CompanyFactory, ContactFactory, DealFactory
from tests.tenancy import TenantFixture


def test_a_contact_is_created_and_read_with_values_of_every_type_family(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        company = CompanyFactory(name="Initech")
        define(Entity.CONTACT, "nickname", FieldType.TEXT)
        define(Entity.CONTACT, "score", FieldType.NUMBER)
        define(Entity.CONTACT, "ratio", FieldType.DECIMAL)
        define(Entity.CONTACT, "budget", FieldType.MONEY, currency="EUR")
        define(Entity.CONTACT, "met_on", FieldType.DATE)
        define(Entity.CONTACT, "call_at", FieldType.DATETIME)
        define(Entity.CONTACT, "vip", FieldType.BOOLEAN)
        define(Entity.CONTACT, "region", FieldType.SINGLE_SELECT, options=OPTIONS)
        define(Entity.CONTACT, "tags", FieldType.MULTI_SELECT, options=TAG_OPTIONS)
        define(Entity.CONTACT, "manager", FieldType.USER)
        define(Entity.CONTACT, "employer", FieldType.REFERENCE, reference_entity=Entity.COMPANY)
    custom = {
        "nickname": "  Pete ",
        "score": "7",
        "ratio": 1.50,
        "budget": "1200.5",
        "met_on": "2026-03-01",
        "call_at": "2026-05-01T09:30:00+02:00",
        "vip": "yes",
        "region": "north",
        "tags": ["y", "x", "y"],
        "manager": admin.pk,
        "employer": company.pk,
    }
    client = api_client(alpha)

    created = post(client, "/api/v1/contacts/", {"first_name": "Peter", "last_name": "Gibbons", "custom": custom})
    read = client.get(f"/api/v1/contacts/{created.json()['id']}/")

    assert created.status_code == 201, created.content
    stored = {
        "nickname": "Pete",
        "score": 7,
        "ratio": "1.5",
        "budget": {"amount": "1200.50", "currency": "EUR"},
        "met_on": "2026-03-01",
        "call_at": "2026-05-01T07:30:00Z",
        "vip": True,
        "region": "north",
        "tags": ["y", "x"],
        "manager": admin.pk,
        "employer": company.pk,
    }
    assert created.json()["custom"] == stored
    assert read.json()["custom"] == stored
    with alpha.active():
        assert Contact.objects.get(pk=created.json()["id"]).custom == stored


def test_a_record_shows_every_active_key_with_null_when_empty_and_hides_archived_fields(alpha: TenantFixture):
    with alpha.active():
        define(Entity.COMPANY, "region", FieldType.SINGLE_SELECT, options=OPTIONS)
        define(Entity.COMPANY, "score", FieldType.NUMBER)
        old = define(Entity.COMPANY, "legacy", FieldType.TEXT)
        company = CompanyFactory(custom={"score": 3, "legacy": "kept"})
        archive(old)

    response = api_client(alpha).get(f"/api/v1/companies/{company.pk}/")

    assert response.json()["custom"] == {"region": None, "score": 3}
    with alpha.active():
        assert Company.objects.get(pk=company.pk).custom == {"score": 3, "legacy": "kept"}


def test_patch_changes_only_the_given_keys_and_null_clears_one(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "region", FieldType.SINGLE_SELECT, options=OPTIONS)
        define(Entity.CONTACT, "score", FieldType.NUMBER)
        define(Entity.CONTACT, "vip", FieldType.BOOLEAN)
        contact = ContactFactory(custom={"region": "north", "score": 5, "vip": True})

    response = patch(api_client(alpha), f"/api/v1/contacts/{contact.pk}/", {"custom": {"score": 9, "vip": None}})

    assert response.status_code == 200, response.content
    assert response.json()["custom"] == {"region": "north", "score": 9, "vip": None}
    with alpha.active():
        assert Contact.objects.get(pk=contact.pk).custom == {"region": "north", "score": 9}


@pytest.mark.parametrize(
    ("path", "model", "entity", "body"),
    [
        ("/api/v1/companies/", Company, Entity.COMPANY, {"name": "Globex"}),
        ("/api/v1/leads/", Lead, Entity.LEAD, {"first_name": "Ann", "last_name": "Lee", "company_name": "Acme"}),
        ("/api/v1/activities/", Activity, Entity.ACTIVITY, {"kind": "task", "subject": "Call back"}),
    ],
)
def test_each_record_type_takes_and_returns_its_custom_values(alpha, path, model, entity, body):
    with alpha.active():
        define(entity, "due_on", FieldType.DATE)
        define(entity, "price", FieldType.MONEY)

    response = post(
        api_client(alpha),
        path,
        {**body, "custom": {"due_on": "2026-07-04", "price": {"amount": "9.9", "currency": "usd"}}},
    )

    assert response.status_code == 201, response.content
    expected = {"due_on": "2026-07-04", "price": {"amount": "9.90", "currency": "USD"}}
    assert response.json()["custom"] == expected
    with alpha.active():
        assert model.objects.get(pk=response.json()["id"]).custom == expected


def test_a_deal_takes_custom_values_on_patch(alpha: TenantFixture):
    with alpha.active():
        define(Entity.DEAL, "channel", FieldType.MULTI_SELECT, options=TAG_OPTIONS)
        define(Entity.DEAL, "website", FieldType.URL)
        deal = DealFactory()

    response = patch(
        api_client(alpha),
        f"/api/v1/deals/{deal.pk}/",
        {"custom": {"channel": "z", "website": "https://example.test/a"}},
    )

    assert response.status_code == 200, response.content
    assert response.json()["custom"] == {"channel": ["z"], "website": "https://example.test/a"}
    with alpha.active():
        assert Deal.objects.get(pk=deal.pk).custom == {"channel": ["z"], "website": "https://example.test/a"}


def test_invalid_values_are_a_400_naming_each_custom_field_and_nothing_is_written(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "score", FieldType.NUMBER)
        define(Entity.CONTACT, "region", FieldType.SINGLE_SELECT, options=OPTIONS)
        define(Entity.CONTACT, "met_on", FieldType.DATE)
        contacts = Contact.objects.count()

    response = post(
        api_client(alpha),
        "/api/v1/contacts/",
        {
            "first_name": "Ann",
            "custom": {"score": "many", "region": "west", "met_on": "yesterday", "nope": 1},
        },
    )

    assert response.status_code == 400
    assert sorted(field_names(response)) == ["custom.met_on", "custom.nope", "custom.region", "custom.score"]
    with alpha.active():
        assert Contact.objects.count() == contacts


def test_a_required_field_missing_on_create_is_named_and_nothing_is_written(alpha: TenantFixture):
    with alpha.active():
        define(Entity.COMPANY, "vat", FieldType.TEXT, required=True)
        companies = Company.objects.count()

    response = post(api_client(alpha), "/api/v1/companies/", {"name": "Nameless VAT"})

    assert response.status_code == 400
    assert field_names(response) == ["custom.vat"]
    with alpha.active():
        assert Company.objects.count() == companies


def test_a_bad_value_on_patch_changes_nothing_else_in_the_request(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "score", FieldType.NUMBER)
        define(Entity.CONTACT, "manager", FieldType.USER)
        contact = ContactFactory(first_name="Kept", custom={"score": 1})

    response = patch(
        api_client(alpha),
        f"/api/v1/contacts/{contact.pk}/",
        {"first_name": "Changed", "custom": {"score": 2, "manager": 999999}},
    )

    assert response.status_code == 400
    assert field_names(response) == ["custom.manager"]
    with alpha.active():
        contact.refresh_from_db()
        assert (contact.first_name, contact.custom) == ("Kept", {"score": 1})


def test_custom_that_is_not_an_object_is_a_400_naming_custom(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(custom={})

    response = patch(api_client(alpha), f"/api/v1/contacts/{contact.pk}/", {"custom": ["score", 1]})

    assert response.status_code == 400
    assert field_names(response) == ["custom"]


def test_an_archived_field_cannot_be_set(alpha: TenantFixture):
    with alpha.active():
        archive(define(Entity.CONTACT, "legacy", FieldType.TEXT))
        contact = ContactFactory(custom={})

    response = patch(api_client(alpha), f"/api/v1/contacts/{contact.pk}/", {"custom": {"legacy": "x"}})

    assert response.status_code == 400
    assert field_names(response) == ["custom.legacy"]
    with alpha.active():
        assert Contact.objects.get(pk=contact.pk).custom == {}
