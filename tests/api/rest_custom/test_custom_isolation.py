"""Tenant isolation of custom fields over REST: another tenant's session reaches none of the
records, keys, values or documents of this one."""

from customization.fields.choices import Entity, FieldType
from tests.api.rest_crm.helpers import api_client, assert_rest_requests_fail_across_tenants, field_names
from tests.api.rest_custom.conftest import OPTIONS, define
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory, LeadFactory
from tests.tenancy import TenantFixture, with_session_of


def test_betas_session_on_alphas_records_with_custom_values_is_a_404_and_changes_nothing(
    alpha: TenantFixture, beta: TenantFixture
):
    with alpha.active():
        for entity in Entity.values:
            define(entity, "secret_code", FieldType.TEXT)
        records = {
            "companies": CompanyFactory(custom={"secret_code": "alpha-company"}),
            "contacts": ContactFactory(custom={"secret_code": "alpha-contact"}),
            "leads": LeadFactory(custom={"secret_code": "alpha-lead"}),
            "deals": DealFactory(custom={"secret_code": "alpha-deal"}),
            "activities": ActivityFactory(custom={"secret_code": "alpha-activity"}),
        }
    requests = []
    for resource, record in records.items():
        path = f"/api/v1/{resource}/{record.pk}/"
        requests += [
            ("get", path, {}),
            ("patch", path, {"custom": {"secret_code": "overwritten"}}),
            ("delete", path, {}),
        ]

    assert_rest_requests_fail_across_tenants(alpha, beta, requests)


def test_filtering_or_ordering_by_alphas_key_on_beta_is_an_unknown_field(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "region", FieldType.SINGLE_SELECT, options=OPTIONS, label="Alpha region")
        ContactFactory(custom={"region": "north"})
    with beta.active():
        ContactFactory(custom={})
    client = api_client(beta)

    filtered = client.get("/api/v1/contacts/?custom.region=north")
    ordered = client.get("/api/v1/contacts/?ordering=custom.region")
    listed = client.get("/api/v1/contacts/")

    assert filtered.status_code == 400
    assert field_names(filtered) == ["custom.region"]
    assert filtered.json()["errors"][0]["message"] == "There is no custom field with this key."
    assert ordered.status_code == 400
    assert field_names(ordered) == ["ordering"]
    assert [row["custom"] for row in listed.json()["results"]] == [{}]
    for response in (filtered, ordered, listed):
        assert b"north" not in response.content
        assert b"Alpha region" not in response.content


def test_writing_alphas_key_on_beta_is_refused_naming_the_key(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        define(Entity.COMPANY, "tier", FieldType.NUMBER)

    response = api_client(beta).post(
        "/api/v1/companies/", {"name": "Beta Co", "custom": {"tier": 1}}, content_type="application/json"
    )

    assert response.status_code == 400
    assert field_names(response) == ["custom.tier"]


def test_alphas_session_on_betas_host_gets_no_document(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        define(Entity.CONTACT, "alpha_secret", FieldType.TEXT)
    stolen = with_session_of(alpha.client(), beta.host)

    response = stolen.get("/api/v1/schema/")

    assert response.status_code == 401
    assert b"alpha_secret" not in response.content
