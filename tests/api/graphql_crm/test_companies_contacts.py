"""GraphQL: companies and contacts — connections with filters and ordering, nodes, create/update/delete."""

import pytest
from graphql_relay import to_global_id

from modules.contacts.models import Company, Contact, TimelineEntry
from tests.api.helpers import post_graphql
from tests.factories import CompanyFactory, ContactFactory, TagFactory, TimelineEntryFactory
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture, schema_snapshot

COMPANIES = """
query Companies($first: Int, $lifecycleStage: LifecycleStage, $owner: ID, $search: String, $orderBy: CompanyOrderBy,
                $tag: String) {
  companies(first: $first, lifecycleStage: $lifecycleStage, owner: $owner, search: $search, orderBy: $orderBy,
            tag: $tag) {
    totalCount
    edges { node { id name lifecycleStage owner { email } tags { name } } }
  }
}
"""
CONTACTS = """
query Contacts($first: Int, $company: ID, $search: String, $orderBy: ContactOrderBy) {
  contacts(first: $first, company: $company, search: $search, orderBy: $orderBy) {
    totalCount
    edges { node { fullName email company { name } owner { email } tags { name } } }
  }
}
"""
COMPANY_CREATE = """
mutation Create($input: CompanyInput!, $allowDuplicate: Boolean) {
  companyCreate(input: $input, allowDuplicate: $allowDuplicate) {
    company { name website lifecycleStage owner { email } tags { name } }
    duplicates { name }
    errors { field message code }
  }
}
"""
CONTACT_CREATE = """
mutation Create($input: ContactInput!) {
  contactCreate(input: $input) {
    contact { fullName email company { name } }
    duplicates { fullName }
    errors { field message code }
  }
}
"""
COMPANY_UPDATE = """
mutation Update($id: ID!, $input: CompanyInput!) {
  companyUpdate(id: $id, input: $input) { company { name city tags { name } } errors { field message code } }
}
"""
CONTACT_UPDATE = """
mutation Update($id: ID!, $input: ContactInput!) {
  contactUpdate(id: $id, input: $input) { contact { fullName company { name } } errors { field message code } }
}
"""
COMPANY_DELETE = "mutation Delete($id: ID!) { companyDelete(id: $id) { deletedId errors { field message code } } }"
CONTACT_DELETE = "mutation Delete($id: ID!) { contactDelete(id: $id) { deletedId errors { field message code } } }"


def names(connection: dict) -> list[str]:
    return [edge["node"].get("name") or edge["node"].get("fullName") for edge in connection["edges"]]


def test_companies_are_listed_in_id_order_with_owner_and_tags(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        vip = TagFactory(name="vip")
        first = CompanyFactory(name="Zeta", owner=admin)
        first.tags.add(vip)
        CompanyFactory(name="Alpha works")

    response = post_graphql(alpha.client(), COMPANIES, {"first": 10})

    assert response.status_code == 200
    assert response.json()["data"]["companies"] == {
        "totalCount": 2,
        "edges": [
            {
                "node": {
                    "id": to_global_id("Company", first.pk),
                    "name": "Zeta",
                    "lifecycleStage": "LEAD",
                    "owner": {"email": ADMIN_EMAIL},
                    "tags": [{"name": "vip"}],
                }
            },
            {
                "node": {
                    "id": response.json()["data"]["companies"]["edges"][1]["node"]["id"],
                    "name": "Alpha works",
                    "lifecycleStage": "LEAD",
                    "owner": None,
                    "tags": [],
                }
            },
        ],
    }


def test_companies_filter_by_stage_owner_tag_and_search_and_order_by_name(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        CompanyFactory(name="Acme Industries", lifecycle_stage="customer", owner=rep).tags.add(TagFactory(name="VIP"))
        CompanyFactory(name="Acme Logistics", lifecycle_stage="customer")
        CompanyFactory(name="Globex", lifecycle_stage="lead", owner=rep)
    client = alpha.client()

    def query(**variables: object) -> list[str]:
        return names(post_graphql(client, COMPANIES, variables).json()["data"]["companies"])

    assert query(lifecycleStage="CUSTOMER", orderBy="NAME") == ["Acme Industries", "Acme Logistics"]
    assert query(owner=to_global_id("User", rep.pk), orderBy="NAME_DESC") == ["Globex", "Acme Industries"]
    assert query(tag="vip") == ["Acme Industries"]
    assert query(search="acme", orderBy="NAME_DESC") == ["Acme Logistics", "Acme Industries"]
    assert query(search="Acme Industries") == ["Acme Industries"]
    assert query(search="globx") == ["Globex"]  # a typo still finds it (trigram)


def test_a_malformed_owner_filter_is_a_client_error_naming_the_argument(alpha: TenantFixture):
    response = post_graphql(alpha.client(), COMPANIES, {"owner": to_global_id("Company", 1)})

    body = response.json()
    assert response.status_code == 200
    assert body["data"] == {"companies": None}
    assert [(error["message"], error["extensions"]) for error in body["errors"]] == [
        ("owner: not an id of a User.", {"code": "BAD_USER_INPUT", "field": "owner"})
    ]


def test_contacts_filter_by_company_and_search_with_the_company_loaded(alpha: TenantFixture):
    with alpha.active():
        acme = CompanyFactory(name="Acme")
        ContactFactory(first_name="Ana", last_name="Pop", company=acme)
        ContactFactory(first_name="Bogdan", last_name="Ionescu", company=acme)
        ContactFactory(first_name="Ana", last_name="Other")
    client = alpha.client()

    by_company = post_graphql(client, CONTACTS, {"company": to_global_id("Company", acme.pk), "orderBy": "FULL_NAME"})
    searched = post_graphql(client, CONTACTS, {"search": "ana"})

    contacts = by_company.json()["data"]["contacts"]
    assert contacts["totalCount"] == 2
    assert [(edge["node"]["fullName"], edge["node"]["company"]) for edge in contacts["edges"]] == [
        ("Ana Pop", {"name": "Acme"}),
        ("Bogdan Ionescu", {"name": "Acme"}),
    ]
    assert sorted(names(searched.json()["data"]["contacts"])) == ["Ana Other", "Ana Pop"]


def test_a_rep_sees_only_own_records_and_not_the_company_of_someone_else(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    admin = alpha.user()
    with alpha.active():
        theirs = CompanyFactory(name="Admin's company", owner=admin)
        CompanyFactory(name="Rep's company", owner=rep)
        ContactFactory(first_name="Mine", last_name="Person", owner=rep, company=theirs)
        ContactFactory(first_name="Not", last_name="Mine", owner=admin)
    client = alpha.client(REP_EMAIL)

    companies = post_graphql(client, COMPANIES).json()["data"]["companies"]
    contacts = post_graphql(client, CONTACTS).json()["data"]["contacts"]
    node = post_graphql(
        client, "query($id: ID!) { node(id: $id) { id } }", {"id": to_global_id("Company", theirs.pk)}
    ).json()

    assert names(companies) == ["Rep's company"]
    assert companies["totalCount"] == 1
    assert [(edge["node"]["fullName"], edge["node"]["company"]) for edge in contacts["edges"]] == [
        ("Mine Person", None)
    ]
    assert node == {"data": {"node": None}}


def test_node_resolves_a_company_and_a_contact_with_a_newest_first_timeline(alpha: TenantFixture):
    with alpha.active():
        acme = CompanyFactory(name="Acme")
        person = ContactFactory(first_name="Ana", last_name="Pop", company=acme)
        for day in (1, 3, 2):
            TimelineEntryFactory(company=acme, occurred_at=f"2026-01-0{day}T10:00:00Z", data={"day": day})
        TimelineEntryFactory(contact=person, kind="created")
    query = """
    query($id: ID!, $after: String) {
      node(id: $id) {
        ... on Company { name timeline(first: 2, after: $after) {
          totalCount pageInfo { hasNextPage endCursor } edges { node { kind data occurredAt } } } }
        ... on Contact { fullName company { name } timeline(first: 5) { totalCount edges { node { kind } } } }
      }
    }
    """
    client = alpha.client()

    company = post_graphql(client, query, {"id": to_global_id("Company", acme.pk)}).json()["data"]["node"]
    rest = post_graphql(
        client, query, {"id": to_global_id("Company", acme.pk), "after": company["timeline"]["pageInfo"]["endCursor"]}
    ).json()["data"]["node"]
    contact = post_graphql(client, query, {"id": to_global_id("Contact", person.pk)}).json()["data"]["node"]

    assert company["name"] == "Acme"
    assert company["timeline"]["totalCount"] == 3
    assert [edge["node"]["data"] for edge in company["timeline"]["edges"]] == [{"day": 3}, {"day": 2}]
    assert company["timeline"]["edges"][0]["node"]["occurredAt"] == "2026-01-03T10:00:00+00:00"
    assert company["timeline"]["pageInfo"]["hasNextPage"] is True
    assert [edge["node"]["data"] for edge in rest["timeline"]["edges"]] == [{"day": 1}]
    assert contact == {
        "fullName": "Ana Pop",
        "company": {"name": "Acme"},
        "timeline": {"totalCount": 1, "edges": [{"node": {"kind": "CREATED"}}]},
    }


@pytest.mark.parametrize("rows", [5, 50])
def test_company_and_contact_lists_take_the_same_number_of_queries_for_5_and_50_rows(
    alpha: TenantFixture, rows: int, django_assert_max_num_queries
):
    admin = alpha.user()
    with alpha.active():
        tag = TagFactory()
        for _ in range(rows):
            company = CompanyFactory(owner=admin)
            company.tags.add(tag)
            ContactFactory(owner=admin, company=company).tags.add(tag)
    client = alpha.client()

    # search_path, domain, search_path, session, user, definitions version, COUNT, page, tags (+ contacts'
    # companies and their tags)
    with django_assert_max_num_queries(9):
        companies = post_graphql(client, COMPANIES, {"first": 50}).json()["data"]["companies"]
    with django_assert_max_num_queries(11):
        contacts = post_graphql(client, CONTACTS, {"first": 50}).json()["data"]["contacts"]

    assert len(companies["edges"]) == rows
    assert len(contacts["edges"]) == rows
    assert all(edge["node"]["company"] is not None for edge in contacts["edges"])


def test_company_create_saves_through_the_service_with_owner_tags_and_a_timeline_entry(alpha: TenantFixture):
    response = post_graphql(
        alpha.client(REP_EMAIL),
        COMPANY_CREATE,
        {"input": {"name": "Initech", "website": "https://initech.example", "lifecycleStage": "CUSTOMER",
                   "tags": ["Enterprise", " enterprise "]}},
    )  # fmt: skip

    assert response.json()["data"]["companyCreate"] == {
        "company": {
            "name": "Initech",
            "website": "https://initech.example",
            "lifecycleStage": "CUSTOMER",
            "owner": {"email": REP_EMAIL},
            "tags": [{"name": "Enterprise"}],
        },
        "duplicates": [],
        "errors": [],
    }
    with alpha.active():
        company = Company.objects.get(name="Initech")
        assert list(TimelineEntry.objects.filter(company=company).values_list("kind", flat=True)) == ["created"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"name": ""}, [{"field": "name", "message": "This field cannot be blank.", "code": "REQUIRED"}]),
        ({"name": "X", "email": "not-an-address"}, [
            {"field": "email", "message": "Enter a valid email address.", "code": "INVALID"}]),
        ({"name": "X", "owner": "VXNlcjo5OTk="}, [  # User:999
            {"field": "owner", "message": "No such record, or not one you can see.", "code": "NOT_FOUND"}]),
        ({"name": "X", "lifecycleStage": None}, [
            {"field": "lifecycleStage", "message": "This field cannot be null.", "code": "REQUIRED"}]),
    ],
)  # fmt: skip
def test_company_create_with_bad_input_names_the_field_and_writes_nothing(
    alpha: TenantFixture, values: dict, expected: list
):
    client = alpha.client()  # signing in touches last_login: before the snapshot
    before = schema_snapshot(alpha.tenant)

    response = post_graphql(client, COMPANY_CREATE, {"input": values})

    assert response.status_code == 200
    assert response.json()["data"]["companyCreate"] == {"company": None, "duplicates": [], "errors": expected}
    assert schema_snapshot(alpha.tenant) == before


def test_company_create_refuses_a_likely_duplicate_unless_allowed(alpha: TenantFixture):
    with alpha.active():
        CompanyFactory(name="Acme Industries", owner=alpha.user())
    client = alpha.client()

    refused = post_graphql(client, COMPANY_CREATE, {"input": {"name": "ACME Industries"}}).json()
    allowed = post_graphql(client, COMPANY_CREATE, {"input": {"name": "ACME Industries"}, "allowDuplicate": True})

    assert refused["data"]["companyCreate"] == {
        "company": None,
        "duplicates": [{"name": "Acme Industries"}],
        "errors": [
            {"field": "name", "message": "This looks like an existing record: Acme Industries.", "code": "DUPLICATE"}
        ],
    }
    assert allowed.json()["data"]["companyCreate"]["company"]["name"] == "ACME Industries"
    with alpha.active():
        assert Company.objects.filter(name__iexact="acme industries").count() == 2


def test_contact_create_refuses_the_same_email_and_needs_a_name(alpha: TenantFixture):
    with alpha.active():
        ContactFactory(first_name="Ana", last_name="Pop", email="ana@example.test")
    client = alpha.client()

    duplicate = post_graphql(client, CONTACT_CREATE, {"input": {"firstName": "Anna", "email": "ANA@example.test"}})
    nameless = post_graphql(client, CONTACT_CREATE, {"input": {"email": "new@example.test"}})

    assert duplicate.json()["data"]["contactCreate"]["errors"] == [
        {"field": "email", "message": "This looks like an existing record: Ana Pop.", "code": "DUPLICATE"}
    ]
    assert duplicate.json()["data"]["contactCreate"]["duplicates"] == [{"fullName": "Ana Pop"}]
    assert nameless.json()["data"]["contactCreate"]["errors"] == [
        {"field": "lastName", "message": "A contact needs a first or a last name.", "code": "INVALID"}
    ]
    with alpha.active():
        assert Contact.objects.count() == 1


def test_a_duplicate_the_rep_cannot_see_is_not_named(alpha: TenantFixture):
    with alpha.active():
        CompanyFactory(name="Hidden Holdings", owner=alpha.user())
    client = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    response = post_graphql(client, COMPANY_CREATE, {"input": {"name": "Hidden Holdings"}})

    assert response.json()["data"]["companyCreate"] == {
        "company": None,
        "duplicates": [],
        "errors": [
            {"field": "name", "message": "This looks like an existing record that you cannot see.", "code": "DUPLICATE"}
        ],
    }
    assert schema_snapshot(alpha.tenant) == before


def test_contact_create_links_a_visible_company(alpha: TenantFixture):
    with alpha.active():
        acme = CompanyFactory(name="Acme")

    response = post_graphql(
        alpha.client(),
        CONTACT_CREATE,
        {"input": {"firstName": "Ana", "lastName": "Pop", "company": to_global_id("Company", acme.pk)}},
    )

    assert response.json()["data"]["contactCreate"] == {
        "contact": {"fullName": "Ana Pop", "email": "", "company": {"name": "Acme"}},
        "duplicates": [],
        "errors": [],
    }


def test_company_update_changes_only_the_sent_fields_and_records_the_change(alpha: TenantFixture):
    with alpha.active():
        acme = CompanyFactory(name="Acme", city="Iasi", industry="Retail")

    response = post_graphql(
        alpha.client(),
        COMPANY_UPDATE,
        {"id": to_global_id("Company", acme.pk), "input": {"city": "Cluj", "tags": ["a"]}},
    )

    assert response.json()["data"]["companyUpdate"] == {
        "company": {"name": "Acme", "city": "Cluj", "tags": [{"name": "a"}]},
        "errors": [],
    }
    with alpha.active():
        acme.refresh_from_db()
        assert (acme.city, acme.industry) == ("Cluj", "Retail")
        entry = TimelineEntry.objects.get(company=acme, kind="updated")
        assert [change["field"] for change in entry.data["changes"]] == ["city", "tags"]


def test_contact_update_that_would_leave_no_name_is_refused_and_writes_nothing(alpha: TenantFixture):
    with alpha.active():
        person = ContactFactory(first_name="Ana", last_name="")
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = post_graphql(
        client, CONTACT_UPDATE, {"id": to_global_id("Contact", person.pk), "input": {"firstName": None}}
    )

    assert response.json()["data"]["contactUpdate"] == {
        "contact": None,
        "errors": [{"field": "lastName", "message": "A contact needs a first or a last name.", "code": "INVALID"}],
    }
    assert schema_snapshot(alpha.tenant) == before


def test_delete_removes_the_record_and_an_unknown_id_is_not_found(alpha: TenantFixture):
    with alpha.active():
        acme = CompanyFactory(name="Acme")
        person = ContactFactory()
    client = alpha.client()

    deleted = post_graphql(client, COMPANY_DELETE, {"id": to_global_id("Company", acme.pk)}).json()
    again = post_graphql(client, COMPANY_DELETE, {"id": to_global_id("Company", acme.pk)}).json()
    wrong_type = post_graphql(client, CONTACT_DELETE, {"id": to_global_id("Company", person.pk)}).json()

    assert deleted["data"]["companyDelete"] == {"deletedId": to_global_id("Company", acme.pk), "errors": []}
    not_found = [{"field": "id", "message": "No such record, or not one you can see.", "code": "NOT_FOUND"}]
    assert again["data"]["companyDelete"] == {"deletedId": None, "errors": not_found}
    assert wrong_type["data"]["contactDelete"] == {"deletedId": None, "errors": not_found}
    with alpha.active():
        assert not Company.objects.filter(pk=acme.pk).exists()
        assert Contact.objects.filter(pk=person.pk).exists()


def test_a_rep_cannot_change_someone_elses_record_nor_link_to_it(alpha: TenantFixture):
    with alpha.active():
        theirs = CompanyFactory(name="Admin's", owner=alpha.user())
    client = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    updated = post_graphql(client, COMPANY_UPDATE, {"id": to_global_id("Company", theirs.pk), "input": {"name": "x"}})
    linked = post_graphql(
        client, CONTACT_CREATE, {"input": {"lastName": "Pop", "company": to_global_id("Company", theirs.pk)}}
    )

    assert updated.json()["data"]["companyUpdate"]["errors"] == [
        {"field": "id", "message": "No such record, or not one you can see.", "code": "NOT_FOUND"}
    ]
    assert linked.json()["data"]["contactCreate"]["errors"] == [
        {"field": "company", "message": "No such record, or not one you can see.", "code": "NOT_FOUND"}
    ]
    assert schema_snapshot(alpha.tenant) == before


def test_a_read_only_user_may_read_but_not_write(alpha: TenantFixture):
    with alpha.active():
        from identity.models import Role, User

        User.objects.filter(email=REP_EMAIL).update(role=Role.objects.get(key="read_only"))
        acme = CompanyFactory(name="Acme")
    client = alpha.client(REP_EMAIL)
    before = schema_snapshot(alpha.tenant)

    listed = post_graphql(client, COMPANIES).json()["data"]["companies"]
    created = post_graphql(client, COMPANY_CREATE, {"input": {"name": "New"}}).json()["data"]["companyCreate"]
    deleted = post_graphql(client, COMPANY_DELETE, {"id": to_global_id("Company", acme.pk)}).json()

    assert names(listed) == ["Acme"]
    denied = [{"field": None, "message": "You do not have permission to do this.", "code": "PERMISSION_DENIED"}]
    assert created == {"company": None, "duplicates": [], "errors": denied}
    assert deleted["data"]["companyDelete"] == {"deletedId": None, "errors": denied}
    assert schema_snapshot(alpha.tenant) == before


def test_a_rep_may_change_own_records_but_not_delete_them(alpha: TenantFixture):
    with alpha.active():
        mine = CompanyFactory(name="Mine", owner=alpha.user(REP_EMAIL))
    client = alpha.client(REP_EMAIL)

    updated = post_graphql(client, COMPANY_UPDATE, {"id": to_global_id("Company", mine.pk), "input": {"city": "Arad"}})
    deleted = post_graphql(client, COMPANY_DELETE, {"id": to_global_id("Company", mine.pk)})

    assert updated.json()["data"]["companyUpdate"]["errors"] == []
    assert deleted.json()["data"]["companyDelete"] == {
        "deletedId": None,
        "errors": [{"field": None, "message": "You do not have permission to do this.", "code": "PERMISSION_DENIED"}],
    }
    with alpha.active():
        assert Company.objects.filter(pk=mine.pk).exists()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("{ companies { totalCount } }", "companies"),
        ("{ activities { totalCount } }", "activities"),
        ("{ deals { totalCount } }", "deals"),
        ('mutation { companyCreate(input: {name: "X"}) { errors { code } } }', "companyCreate"),
    ],
)
def test_anonymous_callers_are_not_authenticated_and_nothing_is_written(alpha: TenantFixture, query: str, field: str):
    before = schema_snapshot(alpha.tenant)

    response = post_graphql(alpha.client(None), query)

    assert response.status_code == 200
    assert response.json()["data"] == {field: None}
    assert [error["extensions"] for error in response.json()["errors"]] == [{"code": "UNAUTHENTICATED"}]
    assert schema_snapshot(alpha.tenant) == before


def test_a_timeline_page_size_out_of_bounds_is_a_client_error(alpha: TenantFixture):
    with alpha.active():
        acme = CompanyFactory(name="Acme")

    response = post_graphql(
        alpha.client(),
        "query($id: ID!) { node(id: $id) { ... on Company { timeline(first: 101) { totalCount } } } }",
        {"id": to_global_id("Company", acme.pk)},
    )

    assert response.json()["data"] == {"node": {"timeline": None}}
    assert [(error["message"], error["extensions"]) for error in response.json()["errors"]] == [
        ("Argument 'first' must be between 0 and 100.", {"code": "BAD_USER_INPUT"})
    ]
