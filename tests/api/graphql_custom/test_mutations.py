"""GraphQL: record mutations take typed ``custom`` input; the validator's refusals come back as
``errors`` naming ``custom.<key>``, with nothing written."""

from graphql_relay import to_global_id

from modules.activities.models import Activity
from modules.contacts.models import Company, Contact
from modules.sales.models import Deal, Lead
from tests.api.graphql_custom.conftest import Define
from tests.api.helpers import post_graphql
from tests.factories import CompanyFactory, ContactFactory
from tests.tenancy import REP_EMAIL, TenantFixture, schema_snapshot

CONTACT_CREATE = """
mutation Create($input: ContactInput!) {
  contactCreate(input: $input) {
    contact {
      fullName
      custom { region channels budget { amount currency } birthday lastSeen accountManager { email } }
    }
    errors { field message code }
  }
}
"""
CONTACT_UPDATE = """
mutation Update($id: ID!, $input: ContactInput!) {
  contactUpdate(id: $id, input: $input) {
    contact { custom { region channels headcount } }
    errors { field message code }
  }
}
"""
OPTIONS = [{"value": "north", "label": "North"}, {"value": "south", "label": "South"}]


def define_contact_fields(define: Define) -> None:
    define("contact", "region", "single_select", options=OPTIONS, required=True)
    define("contact", "channels", "multi_select", options=OPTIONS)
    define("contact", "budget", "money", currency="EUR")
    define("contact", "birthday", "date")
    define("contact", "last_seen", "datetime")
    define("contact", "headcount", "number")
    define("contact", "account_manager", "user")
    define("contact", "employer", "reference", reference_entity="company")
    define("contact", "badge", "text", is_unique=True)


def test_create_saves_typed_custom_values_in_their_stored_form(alpha: TenantFixture, define: Define):
    admin = alpha.user()
    with alpha.active():
        define_contact_fields(define)

    response = post_graphql(
        alpha.client(),
        CONTACT_CREATE,
        {
            "input": {
                "firstName": "Ana",
                "lastName": "Pop",
                "custom": {
                    "region": "NORTH",
                    "channels": ["SOUTH", "NORTH"],
                    "budget": {"amount": "12.5"},
                    "birthday": "1990-04-01",
                    "lastSeen": "2026-05-01T09:30:00+02:00",
                    "accountManager": to_global_id("User", admin.pk),
                },
            }
        },
    )

    assert response.json() == {
        "data": {
            "contactCreate": {
                "contact": {
                    "fullName": "Ana Pop",
                    "custom": {
                        "region": "NORTH",
                        "channels": ["SOUTH", "NORTH"],
                        "budget": {"amount": "12.50", "currency": "EUR"},
                        "birthday": "1990-04-01",
                        "lastSeen": "2026-05-01T07:30:00+00:00",
                        "accountManager": {"email": admin.email},
                    },
                },
                "errors": [],
            }
        }
    }
    with alpha.active():
        assert Contact.objects.get().custom == {
            "region": "north",
            "channels": ["south", "north"],
            "budget": {"amount": "12.50", "currency": "EUR"},
            "birthday": "1990-04-01",
            "last_seen": "2026-05-01T07:30:00Z",
            "account_manager": admin.pk,
        }


def test_update_changes_the_fields_sent_clears_nulls_and_keeps_the_rest(alpha: TenantFixture, define: Define):
    admin = alpha.user()
    with alpha.active():
        define_contact_fields(define)
        contact = ContactFactory(owner=admin, custom={"region": "north", "channels": ["north"], "headcount": 3})

    response = post_graphql(
        alpha.client(),
        CONTACT_UPDATE,
        {"id": to_global_id("Contact", contact.pk), "input": {"custom": {"region": "SOUTH", "channels": None}}},
    )

    assert response.json() == {
        "data": {
            "contactUpdate": {
                "contact": {"custom": {"region": "SOUTH", "channels": None, "headcount": 3}},
                "errors": [],
            }
        }
    }
    with alpha.active():
        contact.refresh_from_db()
        assert contact.custom == {"region": "south", "headcount": 3}


def test_validator_errors_name_the_custom_key_and_nothing_is_written(alpha: TenantFixture, define: Define):
    admin = alpha.user()
    with alpha.active():
        define_contact_fields(define)
        ContactFactory(owner=admin, custom={"region": "north", "badge": "B-1"})
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = post_graphql(
        client,
        CONTACT_CREATE,
        {
            "input": {
                "lastName": "Pop",
                "custom": {
                    "headcount": 9_007_199_254_740_992,
                    "budget": {"amount": "1.005"},
                    "accountManager": to_global_id("User", 999_999),
                    "employer": "not an id",
                },
            }
        },
    )

    errors = response.json()["data"]["contactCreate"]["errors"]
    assert response.status_code == 200
    assert errors == [
        {"field": "custom.account_manager", "message": "No such User, or not one you can see.", "code": "INVALID"},
        {"field": "custom.employer", "message": "No such Company, or not one you can see.", "code": "INVALID"},
    ]
    assert schema_snapshot(alpha.tenant) == before

    response = post_graphql(
        client,
        CONTACT_CREATE,
        {"input": {"lastName": "Pop", "custom": {"headcount": 9_007_199_254_740_992, "budget": {"amount": "1.005"}}}},
    )

    errors = response.json()["data"]["contactCreate"]["errors"]
    assert sorted((error["field"], error["code"]) for error in errors) == [
        ("custom.budget", "INVALID"),
        ("custom.headcount", "INVALID"),
        ("custom.region", "REQUIRED"),
    ]
    assert {error["field"]: error["message"] for error in errors}["custom.budget"] == (
        "Use at most 2 decimal places for money."
    )
    assert schema_snapshot(alpha.tenant) == before

    response = post_graphql(
        client, CONTACT_CREATE, {"input": {"lastName": "Pop", "custom": {"region": "NORTH", "badge": "B-1"}}}
    )

    assert response.json()["data"]["contactCreate"]["errors"] == [
        {"field": "custom.badge", "message": "Another record already has this value.", "code": "INVALID"}
    ]
    assert schema_snapshot(alpha.tenant) == before


def test_a_reference_must_name_a_record_the_caller_can_see(alpha: TenantFixture, define: Define):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        define_contact_fields(define)
        hidden = CompanyFactory(owner=admin)
        visible = CompanyFactory(owner=rep)
        contact = ContactFactory(owner=rep, custom={"region": "north"})
    client = alpha.client(REP_EMAIL)

    def update(employer: str) -> dict:
        variables = {"id": to_global_id("Contact", contact.pk), "input": {"custom": {"employer": employer}}}
        return post_graphql(client, CONTACT_UPDATE, variables).json()["data"]["contactUpdate"]

    refused = update(to_global_id("Company", hidden.pk))
    wrong_type = update(to_global_id("Contact", contact.pk))
    with alpha.active():
        contact.refresh_from_db()
        unchanged = contact.custom
    accepted = update(to_global_id("Company", visible.pk))

    assert refused["errors"] == [
        {"field": "custom.employer", "message": "No such Company, or not one you can see.", "code": "INVALID"}
    ]
    assert wrong_type["errors"] == refused["errors"]
    assert unchanged == {"region": "north"}
    assert accepted["errors"] == []
    with alpha.active():
        contact.refresh_from_db()
        assert contact.custom == {"region": "north", "employer": visible.pk}


def test_company_lead_deal_and_activity_mutations_take_custom_too(alpha: TenantFixture, define: Define):
    with alpha.active():
        for entity in ("company", "lead", "deal", "activity"):
            define(entity, "score", "number", required=True)
    client = alpha.client()

    created = [
        post_graphql(client, query).json()["data"]
        for query in (
            'mutation { companyCreate(input: {name: "Initech", custom: {score: 1}}) { errors { field } } }',
            'mutation { leadCreate(input: {lastName: "Lee", custom: {score: 2}}) { errors { field } } }',
            'mutation { dealCreate(input: {name: "Big one", custom: {score: 3}}) { errors { field } } }',
            'mutation { activityCreate(input: {kind: TASK, subject: "Call", custom: {score: 4}}) { errors { code } } }',
            'mutation { companyCreate(input: {name: "Hooli"}) { errors { field code } } }',
        )
    ]

    assert [next(iter(data.values()))["errors"] for data in created] == [
        [],
        [],
        [],
        [],
        [{"field": "custom.score", "code": "REQUIRED"}],
    ]
    with alpha.active():
        assert [record.custom for record in Company.objects.all()] == [{"score": 1}]
        assert [record.custom for record in Lead.objects.all()] == [{"score": 2}]
        assert [record.custom for record in Deal.objects.all()] == [{"score": 3}]
        assert [record.custom for record in Activity.objects.all()] == [{"score": 4}]


def test_a_fraction_for_a_whole_number_is_refused_not_truncated(alpha: TenantFixture, define: Define):
    admin = alpha.user()
    with alpha.active():
        define_contact_fields(define)
        contact = ContactFactory(owner=admin, custom={"region": "north", "headcount": 3})

    response = post_graphql(
        alpha.client(),
        CONTACT_UPDATE,
        {"id": to_global_id("Contact", contact.pk), "input": {"custom": {"headcount": 1.5}}},
    )

    assert response.json()["errors"][0]["message"].startswith("Variable '$input' got invalid value 1.5")
    assert "data" not in response.json()
    with alpha.active():
        contact.refresh_from_db()
        assert contact.custom == {"region": "north", "headcount": 3}
