"""REST /api/v1/contacts/ and /api/v1/tags/: CRUD, the contract's filters and orderings,
duplicates by e-mail, visibility, permissions, timeline, tenant isolation and query counts."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from modules.contacts.models import Contact, Tag, TimelineEntry
from tests.api.rest_crm.helpers import (
    api_client,
    assert_rest_requests_fail_across_tenants,
    field_names,
    patch,
    post,
    queries_for,
)
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, TagFactory, TimelineEntryFactory
from tests.tenancy import REP_EMAIL, TenantFixture


def test_creating_a_contact_links_the_company_and_records_the_timeline(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        company = CompanyFactory(name="Initech", owner=admin)

    response = post(
        api_client(alpha),
        "/api/v1/contacts/",
        {"first_name": "Peter", "last_name": "Gibbons", "email": "peter@initech.example", "company": company.pk},
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["full_name"], body["company"]) == ("Peter Gibbons", {"id": company.pk, "name": "Initech"})
    assert body["owner"]["id"] == admin.pk
    with alpha.active():
        entry = TimelineEntry.objects.get(contact_id=body["id"])
        assert (entry.kind, entry.company_id) == ("created", company.pk)


def test_a_contact_without_any_name_is_a_400_naming_last_name_and_nothing_is_written(alpha: TenantFixture):
    with alpha.active():
        contacts = Contact.objects.count()

    response = post(api_client(alpha), "/api/v1/contacts/", {"first_name": "", "email": "who@example.test"})

    assert response.status_code == 400
    assert field_names(response) == ["last_name"]
    with alpha.active():
        assert Contact.objects.count() == contacts


def test_an_invalid_email_is_a_400_naming_email(alpha: TenantFixture):
    response = post(api_client(alpha), "/api/v1/contacts/", {"first_name": "Ann", "email": "not-an-address"})

    assert response.status_code == 400
    assert field_names(response) == ["email"]


def test_a_contact_with_a_known_email_is_refused_naming_email_unless_allowed(alpha: TenantFixture):
    with alpha.active():
        ContactFactory(first_name="Michael", last_name="Bolton", email="mb@initech.example")
    client = api_client(alpha)

    refused = post(
        client, "/api/v1/contacts/", {"first_name": "Someone", "last_name": "Else", "email": "MB@initech.example"}
    )
    allowed = post(
        client,
        "/api/v1/contacts/?allow_duplicate=true",
        {"first_name": "Someone", "last_name": "Else", "email": "mb@initech.example"},
    )

    assert refused.status_code == 400
    assert field_names(refused) == ["email"]
    assert allowed.status_code == 201
    with alpha.active():
        assert Contact.objects.filter(email__iexact="mb@initech.example").count() == 2


def test_update_and_delete_a_contact(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(first_name="Samir", last_name="N", owner=alpha.user())
    client = api_client(alpha)

    updated = patch(client, f"/api/v1/contacts/{contact.pk}/", {"last_name": "Nagheenanajar", "job_title": "Engineer"})
    deleted = client.delete(f"/api/v1/contacts/{contact.pk}/")

    assert updated.status_code == 200
    assert (updated.json()["full_name"], updated.json()["job_title"]) == ("Samir Nagheenanajar", "Engineer")
    assert deleted.status_code == 204
    with alpha.active():
        assert not Contact.objects.filter(pk=contact.pk).exists()


def test_clearing_both_names_is_refused_and_the_contact_is_unchanged(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(first_name="Milton", last_name="Waddams", owner=alpha.user())

    response = patch(api_client(alpha), f"/api/v1/contacts/{contact.pk}/", {"first_name": "", "last_name": ""})

    assert response.status_code == 400
    assert field_names(response) == ["last_name"]
    with alpha.active():
        contact.refresh_from_db()
        assert contact.full_name == "Milton Waddams"
        assert not TimelineEntry.objects.filter(contact=contact).exists()


def test_contacts_list_filters_of_the_contract(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        company = CompanyFactory(name="Initech")
        tag = TagFactory(name="Decision maker")
        bill = ContactFactory(first_name="Bill", last_name="Lumbergh", company=company, owner=rep,
                              lifecycle_stage="customer", email="bill@initech.example")  # fmt: skip
        bill.tags.add(tag)
        ContactFactory(first_name="Tom", last_name="Smykowski", owner=alpha.user(), lifecycle_stage="lead")
        Contact.objects.filter(pk=bill.pk).update(updated_at=timezone.now() - timedelta(days=10))
    client = api_client(alpha)
    since = (timezone.now() - timedelta(days=1)).isoformat()

    def names(params: dict[str, str]) -> list[str]:
        response = client.get("/api/v1/contacts/", params)
        assert response.status_code == 200, response.content
        return [row["full_name"] for row in response.json()["results"]]

    assert names({"company": str(company.pk)}) == ["Bill Lumbergh"]
    assert names({"owner": str(rep.pk)}) == ["Bill Lumbergh"]
    assert names({"lifecycle_stage": "lead"}) == ["Tom Smykowski"]
    assert names({"tag": "decision MAKER"}) == ["Bill Lumbergh"]
    assert names({"email": "Bill@Initech.example"}) == ["Bill Lumbergh"]
    assert names({"search": "lumbergh"}) == ["Bill Lumbergh"]
    assert names({"search": "Smykowsky"}) == ["Tom Smykowski"]  # similar enough (trigram)
    assert names({"updated_after": since}) == ["Tom Smykowski"]


def test_a_malformed_updated_after_is_a_400_naming_it(alpha: TenantFixture):
    response = api_client(alpha).get("/api/v1/contacts/?updated_after=yesterday")

    assert response.status_code == 400
    assert field_names(response) == ["updated_after"]


# Created and updated in an order of their own, neither the order of ids nor each other's.
CREATED_DAYS_AGO = {"Carol": 1, "alice": 3, "Bob": 2, "Dave": 4}
UPDATED_DAYS_AGO = {"Carol": 2, "alice": 1, "Bob": 4, "Dave": 3}


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("created_at", ["Dave", "alice", "Bob", "Carol"]),
        ("-created_at", ["Carol", "Bob", "alice", "Dave"]),
        ("updated_at", ["Bob", "Dave", "Carol", "alice"]),
        ("-updated_at", ["alice", "Carol", "Dave", "Bob"]),
    ],
)
def test_contacts_order_by_each_whitelisted_timestamp(alpha: TenantFixture, ordering: str, expected: list[str]):
    now = timezone.now()
    with alpha.active():
        for first_name in ["Carol", "alice", "Bob", "Dave"]:  # ids in this order
            contact = ContactFactory(first_name=first_name, last_name="X")
            Contact.objects.filter(pk=contact.pk).update(
                created_at=now - timedelta(days=CREATED_DAYS_AGO[first_name]),
                updated_at=now - timedelta(days=UPDATED_DAYS_AGO[first_name]),
            )

    assert first_names_in_pages(api_client(alpha), f"/api/v1/contacts/?ordering={ordering}&page_size=3") == expected


@pytest.mark.parametrize("ordering", ["full_name", "-full_name"])
def test_contacts_order_by_name(alpha: TenantFixture, ordering: str):
    with alpha.active():
        for first_name in ["Carol", "alice", "Bob", "Dave"]:
            ContactFactory(first_name=first_name, last_name="X")
        tie_breaker = "-id" if ordering.startswith("-") else "id"
        expected = list(Contact.objects.order_by(ordering, tie_breaker).values_list("first_name", flat=True))

    assert first_names_in_pages(api_client(alpha), f"/api/v1/contacts/?ordering={ordering}&page_size=3") == expected


def first_names_in_pages(client: Client, url: str | None) -> list[str]:
    """The first names of every page of contacts from ``url`` on, following ``next``."""
    names: list[str] = []
    while url:
        body = client.get(url).json()
        names.extend(row["first_name"] for row in body["results"])
        url = body["next"]
    return names


def test_the_default_order_is_by_id(alpha: TenantFixture):
    with alpha.active():
        ContactFactory(first_name="Zed")
        ContactFactory(first_name="Amy")
        expected = list(Contact.objects.order_by("id").values_list("id", flat=True))

    body = api_client(alpha).get("/api/v1/contacts/").json()

    assert [row["id"] for row in body["results"]] == expected


def test_a_rep_sees_only_their_own_contacts(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        own = ContactFactory(owner=rep)
        others = ContactFactory(owner=alpha.user())
    client = api_client(alpha, REP_EMAIL)

    listed = client.get("/api/v1/contacts/").json()["results"]
    hidden = client.get(f"/api/v1/contacts/{others.pk}/")
    hidden_timeline = client.get(f"/api/v1/contacts/{others.pk}/timeline/")
    deleted = client.delete(f"/api/v1/contacts/{others.pk}/")

    assert [row["id"] for row in listed] == [own.pk]
    assert hidden.status_code == hidden_timeline.status_code == 404
    assert deleted.status_code == 403  # reps cannot delete at all
    with alpha.active():
        assert Contact.objects.filter(pk=others.pk).exists()


def test_a_rep_without_the_delete_permission_gets_a_403_on_their_own_contact(alpha: TenantFixture):
    with alpha.active():
        contact = ContactFactory(owner=alpha.user(REP_EMAIL))

    response = api_client(alpha, REP_EMAIL).delete(f"/api/v1/contacts/{contact.pk}/")

    assert response.status_code == 403
    with alpha.active():
        assert Contact.objects.filter(pk=contact.pk).exists()


def test_tags_list_and_filter_by_name(alpha: TenantFixture):
    with alpha.active():
        TagFactory(name="Partner")
        TagFactory(name="Prospect")
    client = api_client(alpha, REP_EMAIL)

    everything = client.get("/api/v1/tags/").json()["results"]
    filtered = client.get("/api/v1/tags/?search=part").json()["results"]
    created = post(client, "/api/v1/tags/", {"name": "New"})

    assert [tag["name"] for tag in everything] == ["Partner", "Prospect"]
    assert [tag["name"] for tag in filtered] == ["Partner"]
    assert created.status_code == 405
    with alpha.active():
        assert not Tag.objects.filter(name="New").exists()


def test_beta_cannot_reach_alphas_contacts_or_tags(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        contact = ContactFactory(owner=alpha.user())
        tag = TagFactory(name="alpha-only")
    with beta.active():
        assert not Contact.objects.filter(pk=contact.pk).exists()
        assert not Tag.objects.filter(pk=tag.pk).exists()
    base = f"/api/v1/contacts/{contact.pk}/"

    assert_rest_requests_fail_across_tenants(
        alpha,
        beta,
        [
            ("get", base, {}),
            ("patch", base, {"first_name": "Stolen"}),
            ("delete", base, {}),
            ("get", f"{base}timeline/", {}),
            ("get", f"/api/v1/tags/{tag.pk}/", {}),
        ],
    )


def test_contacts_list_query_count_is_the_same_for_5_and_50_rows(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        tag = TagFactory()
        company = CompanyFactory()

        def make(count: int) -> None:
            for contact in ContactFactory.create_batch(count, owner=admin, company=company):
                contact.tags.add(tag)

        make(5)
    client = api_client(alpha)

    five, _response = queries_for(client, "/api/v1/contacts/?page_size=5")
    with alpha.active():
        make(45)
    fifty, response = queries_for(client, "/api/v1/contacts/?page_size=50&ordering=full_name")

    assert len(response.json()["results"]) == 50
    assert five == fifty


def test_timeline_query_count_is_the_same_for_5_and_50_entries(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        contact = ContactFactory(owner=admin)

        def make(count: int) -> None:
            for _number in range(count):
                activity = ActivityFactory(assignee=admin, contact=contact)
                TimelineEntryFactory(kind="activity", actor=admin, contact=contact, activity=activity)

        make(5)
    client = api_client(alpha)

    five, _response = queries_for(client, f"/api/v1/contacts/{contact.pk}/timeline/?page_size=5")
    with alpha.active():
        make(45)
    fifty, response = queries_for(client, f"/api/v1/contacts/{contact.pk}/timeline/?page_size=50")

    assert len(response.json()["results"]) == 50
    assert all(entry["activity"]["kind"] == "task" for entry in response.json()["results"])
    assert five == fifty
