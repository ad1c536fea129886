"""``?fields=`` on the record lists and details: only the named fields (custom ones too), a 400
naming ``fields`` for unknown names, and no more queries than the full representation."""

import pytest

from customization.fields.choices import Entity, FieldType
from tests.api.rest_crm.helpers import api_client, field_names, queries_for
from tests.api.rest_custom.conftest import define
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory, LeadFactory, TagFactory
from tests.tenancy import REP_EMAIL, TenantFixture


def test_a_list_answers_only_the_requested_fields_including_one_custom_field(alpha: TenantFixture):
    with alpha.active():
        define(Entity.COMPANY, "tier", FieldType.TEXT)
        define(Entity.COMPANY, "region", FieldType.TEXT)
        company = CompanyFactory(name="Acme", custom={"tier": "gold", "region": "north"})

    response = api_client(alpha).get("/api/v1/companies/?fields=id,name,custom.tier")

    assert response.status_code == 200
    assert response.json()["results"] == [{"id": company.pk, "name": "Acme", "custom": {"tier": "gold"}}]


def test_a_detail_answers_only_the_requested_fields_and_custom_means_every_custom_field(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "tier", FieldType.TEXT)
        define(Entity.CONTACT, "score", FieldType.NUMBER)
        contact = ContactFactory(first_name="Ana", last_name="Pop", custom={"tier": "gold"})

    body = api_client(alpha).get(f"/api/v1/contacts/{contact.pk}/?fields=full_name,custom").json()

    assert body == {"full_name": "Ana Pop", "custom": {"tier": "gold", "score": None}}


@pytest.mark.parametrize(
    ("path", "factory"),
    [
        ("companies", CompanyFactory),
        ("contacts", ContactFactory),
        ("leads", LeadFactory),
        ("deals", DealFactory),
        ("activities", ActivityFactory),
    ],
)
def test_every_record_resource_takes_fields_on_list_and_detail(alpha: TenantFixture, path: str, factory):
    with alpha.active():
        record = factory()
    client = api_client(alpha)

    listed = client.get(f"/api/v1/{path}/?fields=id,created_at").json()["results"]
    detail = client.get(f"/api/v1/{path}/{record.pk}/?fields=id").json()

    assert [set(row) for row in listed] == [{"id", "created_at"}]
    assert detail == {"id": record.pk}


@pytest.mark.parametrize("fields", ["id,nope", "custom.missing", "", "allow_duplicate", "id,custom.tier.x"])
def test_unknown_field_names_are_a_400_naming_fields(alpha: TenantFixture, fields: str):
    with alpha.active():
        define(Entity.COMPANY, "tier", FieldType.TEXT)
        company = CompanyFactory()
    client = api_client(alpha)

    listed = client.get(f"/api/v1/companies/?fields={fields}")
    detail = client.get(f"/api/v1/companies/{company.pk}/?fields={fields}")

    assert listed.status_code == detail.status_code == 400
    assert field_names(listed) == field_names(detail) == ["fields"]


def test_a_custom_key_of_another_entity_is_unknown(alpha: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "tier", FieldType.TEXT)

    response = api_client(alpha).get("/api/v1/companies/?fields=id,custom.tier")

    assert response.status_code == 400
    assert field_names(response) == ["fields"]


def test_unrequested_relations_are_not_loaded(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        tag = TagFactory(name="vip")
        company = CompanyFactory(owner=admin)
        for _ in range(5):
            ContactFactory(owner=admin, company=company).tags.add(tag)
    client = api_client(alpha)

    full, _full = queries_for(client, "/api/v1/contacts/?page_size=50")
    sparse, response = queries_for(client, "/api/v1/contacts/?page_size=50&fields=id,full_name")
    with_tags, _tags = queries_for(client, "/api/v1/contacts/?page_size=50&fields=id,tags")

    assert len(response.json()["results"]) == 5
    assert with_tags == full - 1  # no custom field definitions to read
    assert sparse == full - 2  # nor the tags (owner and company are not joined either)


def test_sparse_list_query_count_does_not_grow_with_rows(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        define(Entity.DEAL, "tier", FieldType.TEXT)
        DealFactory.create_batch(3, owner=admin)
    client = api_client(alpha)

    three, _response = queries_for(client, "/api/v1/deals/?fields=id,name,stage,tags,custom.tier")
    with alpha.active():
        DealFactory.create_batch(30, owner=admin)
    thirty_three, response = queries_for(client, "/api/v1/deals/?fields=id,name,stage,tags,custom.tier")

    assert len(response.json()["results"]) == 33
    assert three == thirty_three


def test_a_rep_sees_only_their_own_records_with_fields_too(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        own = CompanyFactory(owner=rep)
        others = CompanyFactory(owner=alpha.user())
    client = api_client(alpha, REP_EMAIL)

    listed = client.get("/api/v1/companies/?fields=id").json()["results"]
    hidden = client.get(f"/api/v1/companies/{others.pk}/?fields=id")

    assert listed == [{"id": own.pk}]
    assert hidden.status_code == 404


def test_beta_cannot_read_alphas_record_through_fields(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        company = CompanyFactory(name="Alpha only")

    response = api_client(beta).get(f"/api/v1/companies/{company.pk}/?fields=id,name")
    listed = api_client(beta).get("/api/v1/companies/?fields=name").json()["results"]

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert {"name": "Alpha only"} not in listed
