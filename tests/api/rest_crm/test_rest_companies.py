"""REST /api/v1/companies/: CRUD through the services, filters, ordering, permissions, visibility,
duplicates, timeline, tenant isolation and fixed query counts."""

from identity.models import Role
from modules.contacts.models import Company, Tag, TimelineEntry
from tests.api.helpers import PROBLEM_BASE
from tests.api.rest_crm.helpers import (
    api_client,
    assert_rest_requests_fail_across_tenants,
    field_names,
    patch,
    post,
    queries_for,
)
from tests.factories import CompanyFactory, TagFactory
from tests.tenancy import ADMIN_EMAIL, REP_EMAIL, TenantFixture


def test_creating_a_company_saves_it_with_tags_and_a_timeline_entry(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)

    response = post(
        api_client(alpha, REP_EMAIL),
        "/api/v1/companies/",
        {"name": "Acme Industries", "email": "office@acme.example", "tags": ["vip", "Key account"], "city": "Iasi"},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Acme Industries"
    assert body["owner"] == {"id": rep.pk, "email": REP_EMAIL, "full_name": "Rita Rep"}
    assert body["tags"] == ["Key account", "vip"]
    assert body["city"] == "Iasi"
    with alpha.active():
        company = Company.objects.get(pk=body["id"])
        assert company.created_by == rep
        assert sorted(company.tags.values_list("name", flat=True)) == ["Key account", "vip"]
        assert list(TimelineEntry.objects.filter(company=company).values_list("kind", flat=True)) == ["created"]


def test_a_company_without_a_name_is_a_400_naming_the_field_and_nothing_is_written(alpha: TenantFixture):
    with alpha.active():
        companies, tags = Company.objects.count(), Tag.objects.count()

    response = post(api_client(alpha), "/api/v1/companies/", {"name": "", "tags": ["new-tag"]})

    assert response.status_code == 400
    assert response.json()["type"] == f"{PROBLEM_BASE}invalid"
    assert field_names(response) == ["name"]
    with alpha.active():
        assert (Company.objects.count(), Tag.objects.count()) == (companies, tags)


def test_an_owner_who_is_not_a_user_here_is_a_400_naming_owner(alpha: TenantFixture):
    with alpha.active():
        companies = Company.objects.count()

    response = post(api_client(alpha), "/api/v1/companies/", {"name": "Nobody's", "owner": 999999})

    assert response.status_code == 400
    assert field_names(response) == ["owner"]
    with alpha.active():
        assert Company.objects.count() == companies


def test_a_look_alike_company_is_refused_naming_the_field_unless_allowed(alpha: TenantFixture):
    with alpha.active():
        CompanyFactory(name="Acme Industries")
        tags = Tag.objects.count()
    client = api_client(alpha)

    refused = post(client, "/api/v1/companies/", {"name": "Acme Industries", "tags": ["brand-new"]})
    with alpha.active():
        count_after_refusal = Company.objects.filter(name="Acme Industries").count()
        tags_after_refusal = Tag.objects.count()
    by_query = post(client, "/api/v1/companies/?allow_duplicate=true", {"name": "Acme Industries"})
    by_body = post(client, "/api/v1/companies/", {"name": "Acme Industries", "allow_duplicate": True})

    assert refused.status_code == 400
    assert field_names(refused) == ["name"]
    assert "Acme Industries" in refused.json()["errors"][0]["message"]
    assert (count_after_refusal, tags_after_refusal) == (1, tags)
    assert by_query.status_code == by_body.status_code == 201
    with alpha.active():
        assert Company.objects.filter(name="Acme Industries").count() == 3


def test_retrieve_update_and_delete_a_company(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(name="Old name", owner=alpha.user())
    client = api_client(alpha)

    retrieved = client.get(f"/api/v1/companies/{company.pk}/")
    updated = patch(client, f"/api/v1/companies/{company.pk}/", {"name": "New name", "tags": ["partner"]})
    deleted = client.delete(f"/api/v1/companies/{company.pk}/")

    assert retrieved.status_code == 200
    assert retrieved.json()["name"] == "Old name"
    assert updated.status_code == 200
    assert (updated.json()["name"], updated.json()["tags"]) == ("New name", ["partner"])
    assert deleted.status_code == 204
    with alpha.active():
        assert not Company.objects.filter(pk=company.pk).exists()
        changes = TimelineEntry.objects.get(kind="updated").data["changes"]
        assert {change["field"] for change in changes} == {"name", "tags"}


def test_a_bad_update_is_a_400_naming_the_field_and_the_company_is_unchanged(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(name="Steady", owner=alpha.user())

    response = patch(api_client(alpha), f"/api/v1/companies/{company.pk}/", {"website": "not a url", "name": "Else"})

    assert response.status_code == 400
    assert field_names(response) == ["website"]
    with alpha.active():
        company.refresh_from_db()
        assert company.name == "Steady"
        assert not TimelineEntry.objects.filter(company=company).exists()


def test_companies_list_filters(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        vip = TagFactory(name="VIP")
        acme = CompanyFactory(name="Acme Robotics", owner=rep, lifecycle_stage="customer", email="hi@acme.example")
        acme.tags.add(vip)
        CompanyFactory(name="Globex", owner=alpha.user(), lifecycle_stage="lead")
    client = api_client(alpha)

    def names(query: str) -> list[str]:
        response = client.get(f"/api/v1/companies/?{query}")
        assert response.status_code == 200, response.content
        return [row["name"] for row in response.json()["results"]]

    assert names(f"owner={rep.pk}") == ["Acme Robotics"]
    assert names("lifecycle_stage=lead") == ["Globex"]
    assert names("tag=vip") == ["Acme Robotics"]
    assert names("email=HI@acme.example") == ["Acme Robotics"]
    assert names("search=robotics") == ["Acme Robotics"]
    assert names("search=Glob") == ["Globex"]


def test_a_malformed_filter_or_ordering_is_a_400_naming_it(alpha: TenantFixture):
    client = api_client(alpha)

    bad_stage = client.get("/api/v1/companies/?lifecycle_stage=royalty")
    bad_ordering = client.get("/api/v1/companies/?ordering=description")

    assert bad_stage.status_code == bad_ordering.status_code == 400
    assert field_names(bad_stage) == ["lifecycle_stage"]
    assert field_names(bad_ordering) == ["ordering"]


def test_companies_order_by_the_chosen_field_across_cursor_pages(alpha: TenantFixture):
    with alpha.active():
        for name in ["Delta", "alpha co", "Charlie", "Bravo", "Echo"]:
            CompanyFactory(name=name)
    client = api_client(alpha)

    pages: list[list[str]] = []
    url: str | None = "/api/v1/companies/?ordering=-name&page_size=2"
    while url:
        body = client.get(url).json()
        pages.append([row["name"] for row in body["results"]])
        url = body["next"]

    with alpha.active():
        expected = list(Company.objects.order_by("-name", "-id").values_list("name", flat=True))
    assert [name for page in pages for name in page] == expected
    assert [len(page) for page in pages] == [2, 2, 1]


def test_a_rep_sees_only_their_own_companies(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        own = CompanyFactory(name="Rep's", owner=rep)
        others = CompanyFactory(name="Admin's", owner=alpha.user())
    client = api_client(alpha, REP_EMAIL)

    listed = client.get("/api/v1/companies/")
    hidden = client.get(f"/api/v1/companies/{others.pk}/")
    hidden_patch = patch(client, f"/api/v1/companies/{others.pk}/", {"name": "Mine now"})

    assert [row["id"] for row in listed.json()["results"]] == [own.pk]
    assert hidden.status_code == hidden_patch.status_code == 404
    with alpha.active():
        others.refresh_from_db()
        assert others.name == "Admin's"


def test_a_rep_cannot_link_a_contact_to_a_company_they_cannot_see(alpha: TenantFixture):
    with alpha.active():
        others = CompanyFactory(name="Admin's", owner=alpha.user())

    response = post(api_client(alpha, REP_EMAIL), "/api/v1/contacts/", {"first_name": "Ann", "company": others.pk})

    assert response.status_code == 400
    assert field_names(response) == ["company"]


def test_a_rep_without_the_delete_permission_gets_a_403(alpha: TenantFixture):
    rep = alpha.user(REP_EMAIL)
    with alpha.active():
        company = CompanyFactory(owner=rep)

    response = api_client(alpha, REP_EMAIL).delete(f"/api/v1/companies/{company.pk}/")

    assert response.status_code == 403
    assert response.json()["type"] == f"{PROBLEM_BASE}permission-denied"
    with alpha.active():
        assert Company.objects.filter(pk=company.pk).exists()


def test_a_read_only_user_can_read_but_not_write(alpha: TenantFixture):
    with alpha.active():
        rep = alpha.user(REP_EMAIL)
        rep.role = Role.objects.get(key="read_only")
        rep.save()
        company = CompanyFactory(name="Readable", owner=alpha.user())
        companies = Company.objects.count()
    client = api_client(alpha, REP_EMAIL)

    listed = client.get("/api/v1/companies/")
    created = post(client, "/api/v1/companies/", {"name": "Forbidden Co"})
    updated = patch(client, f"/api/v1/companies/{company.pk}/", {"name": "Changed"})
    deleted = client.delete(f"/api/v1/companies/{company.pk}/")

    assert [row["name"] for row in listed.json()["results"]] == ["Readable"]
    assert created.status_code == updated.status_code == deleted.status_code == 403
    with alpha.active():
        assert Company.objects.count() == companies
        company.refresh_from_db()
        assert company.name == "Readable"


def test_anonymous_requests_get_a_401(alpha: TenantFixture):
    assert alpha.client(None).get("/api/v1/companies/").status_code == 401


def test_company_timeline_is_newest_first_in_cursor_pages(alpha: TenantFixture):
    client = api_client(alpha)
    company_id = post(client, "/api/v1/companies/", {"name": "Timeline Co"}).json()["id"]
    patch(client, f"/api/v1/companies/{company_id}/", {"name": "Timeline Co 2"})
    post(client, "/api/v1/activities/", {"kind": "call", "subject": "Intro call", "company": company_id})

    first = client.get(f"/api/v1/companies/{company_id}/timeline/?page_size=2").json()
    second = client.get(first["next"]).json()

    assert [entry["kind"] for entry in first["results"]] == ["activity", "updated"]
    assert [entry["kind"] for entry in second["results"]] == ["created"]
    assert second["next"] is None
    entry = first["results"][0]
    assert entry["actor"]["email"] == ADMIN_EMAIL
    assert entry["data"] == {"event": "created", "status": "open"}  # planned, not yet done
    assert {key: entry["activity"][key] for key in ("kind", "subject", "status")} == {
        "kind": "call",
        "subject": "Intro call",
        "status": "open",
    }


def test_beta_cannot_reach_alphas_companies(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        company = CompanyFactory(name="Alpha only", owner=alpha.user())
    with beta.active():
        assert not Company.objects.filter(pk=company.pk).exists()
    base = f"/api/v1/companies/{company.pk}/"

    assert_rest_requests_fail_across_tenants(
        alpha,
        beta,
        [("get", base, {}), ("patch", base, {"name": "Stolen"}), ("delete", base, {}), ("get", f"{base}timeline/", {})],
    )
    listed = api_client(beta).get("/api/v1/companies/?search=Alpha")
    assert listed.json()["results"] == []


def test_companies_list_query_count_is_the_same_for_5_and_50_rows(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        tag = TagFactory()

        def make(count: int) -> None:
            for company in CompanyFactory.create_batch(count, owner=admin):
                company.tags.add(tag)

        make(5)
    client = api_client(alpha)

    five, _response = queries_for(client, "/api/v1/companies/?page_size=5")
    with alpha.active():
        make(45)
    fifty, response = queries_for(client, "/api/v1/companies/?page_size=50&ordering=name")

    assert len(response.json()["results"]) == 50
    assert five == fifty
