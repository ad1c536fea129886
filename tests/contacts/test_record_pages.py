"""Company and contact pages: lists, detail, create and edit, with permissions and query counts."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from identity.models import Role
from identity.services.accounts import create_user
from modules.contacts.models import Company, Contact, TimelineEntry
from tests.factories import CompanyFactory, ContactFactory, DealFactory, TagFactory
from tests.tenancy import PASSWORD, REP_EMAIL, TenantFixture, assert_cross_tenant_requests_fail, schema_snapshot

READ_ONLY_EMAIL = "reader@example.test"


def _read_only_client(tenant: TenantFixture):
    with tenant.active():
        create_user(
            email=READ_ONLY_EMAIL, password=PASSWORD, full_name="Reader", role=Role.objects.get(key="read_only")
        )
    return tenant.client(email=READ_ONLY_EMAIL)


def test_an_admin_opens_the_lists_and_records_with_data(alpha: TenantFixture):
    admin = alpha.user()
    with alpha.active():
        company = CompanyFactory(name="Acme Holdings", owner=admin)
        company.tags.set([TagFactory(name="vip")])
        contact = ContactFactory(first_name="Ada", last_name="Lovelace", company=company, owner=admin)
        DealFactory(name="Acme renewal", company=company, contact=contact, owner=admin)
    client = alpha.client()

    pages = {
        "/companies/": "Acme Holdings",
        "/contacts/": "Ada Lovelace",
        f"/companies/{company.pk}/": "Acme renewal",
        f"/contacts/{contact.pk}/": "Acme renewal",
        "/companies/new/": "New company",
        "/contacts/new/": "New contact",
        f"/companies/{company.pk}/edit/": "Acme Holdings",
        f"/contacts/{contact.pk}/edit/": "Lovelace",
    }
    for path, text in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert text in response.content.decode(), path


def test_the_company_page_links_log_activity_merge_and_embeds_the_timeline(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())

    html = alpha.client().get(f"/companies/{company.pk}/").content.decode()

    assert f'href="/activities/new/?company={company.pk}"' in html
    assert f'href="/companies/{company.pk}/merge/"' in html
    assert f'hx-get="/timeline/company/{company.pk}/"' in html


def test_deals_are_not_shown_when_the_tenant_has_no_sales(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        DealFactory(name="Hidden deal", company=company, owner=alpha.user())
    alpha.tenant.enabled_modules = []
    alpha.tenant.save()

    html = alpha.client().get(f"/companies/{company.pk}/").content.decode()

    assert "Hidden deal" not in html
    assert 'id="deals-heading"' not in html


@pytest.mark.parametrize("rows", [5, 50])
def test_the_contact_list_costs_the_same_queries_for_5_and_50_rows(
    alpha: TenantFixture, django_assert_max_num_queries, rows: int
):
    admin = alpha.user()
    with alpha.active():
        tags = [TagFactory(), TagFactory()]
        company = CompanyFactory(owner=admin)
        for _index in range(rows):
            ContactFactory(owner=admin, company=company).tags.set(tags)
    client = alpha.client()
    client.get("/contacts/")  # warm the session and caches

    # 13: the twelve of the company list's shape, and the workspace's segments for the "Segment" filter.
    with django_assert_max_num_queries(13):
        response = client.get("/contacts/")

    assert len(re.findall(r'name="ids" value="\d+"', response.content.decode())) == rows


@pytest.mark.parametrize("rows", [5, 50])
def test_the_company_list_costs_the_same_queries_for_5_and_50_rows(
    alpha: TenantFixture, django_assert_max_num_queries, rows: int
):
    with alpha.active():
        for _index in range(rows):
            CompanyFactory(owner=alpha.user()).tags.set([TagFactory()])
    client = alpha.client()
    client.get("/companies/")

    with django_assert_max_num_queries(12):
        response = client.get("/companies/")

    assert len(re.findall(r'name="ids" value="\d+"', response.content.decode())) == rows


def test_the_list_pages_with_a_cursor_and_sorts_by_a_clicked_header(alpha: TenantFixture):
    with alpha.active():
        for index in range(55):
            CompanyFactory(name=f"Firm {index:03}", owner=alpha.user())
    client = alpha.client()

    first = client.get("/companies/").content.decode()
    next_link = re.search(r'href="\?([^"]*after=[^"]*)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(f"/companies/?{next_link}").content.decode()
    descending = client.get("/companies/?sort=-name").content.decode()

    names = re.compile(r'<a href="/companies/\d+/">(Firm \d{3})</a>')
    assert names.findall(first)[:2] == ["Firm 000", "Firm 001"]
    assert len(names.findall(first)) == 50
    assert names.findall(second) == ["Firm 050", "Firm 051", "Firm 052", "Firm 053", "Firm 054"]
    assert 'rel="next"' not in second
    assert names.findall(descending)[0] == "Firm 054"
    assert 'href="?sort=name"' in descending


def test_the_contact_list_filters_by_owner_stage_tag_company_and_text(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        tag = TagFactory(name="partner")
        company = CompanyFactory(owner=admin)
        ContactFactory(
            first_name="Mara", last_name="Match", owner=rep, lifecycle_stage="customer", company=company
        ).tags.add(tag)
        ContactFactory(first_name="Otto", last_name="Other", owner=rep, lifecycle_stage="customer", company=company)
        ContactFactory(first_name="Ines", last_name="Ignored", owner=admin, lifecycle_stage="customer")
    query = f"owner={rep.pk}&lifecycle_stage=customer&tag={tag.pk}&company={company.pk}&q=Mara"

    html = alpha.client().get(f"/contacts/?{query}").content.decode()

    assert re.findall(r'class="fw-semibold">([^<]+)</a>', html) == ["Mara Match"]


def test_a_rep_sees_only_their_own_records_in_lists_and_details(alpha: TenantFixture):
    admin, rep = alpha.user(), alpha.user(REP_EMAIL)
    with alpha.active():
        mine = ContactFactory(first_name="Mine", owner=rep)
        theirs = ContactFactory(first_name="Theirs", owner=admin)
    client = alpha.client(email=REP_EMAIL)

    html = client.get("/contacts/").content.decode()

    assert f"/contacts/{mine.pk}/" in html
    assert f"/contacts/{theirs.pk}/" not in html
    assert client.get(f"/contacts/{theirs.pk}/").status_code == 404
    assert client.get(f"/contacts/{theirs.pk}/edit/").status_code == 404


def test_a_contact_is_created_through_the_form(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())

    response = alpha.client().post(
        "/contacts/new/",
        {"first_name": "Grace", "last_name": "Hopper", "email": "grace@navy.example", "company": company.pk,
         "lifecycle_stage": "customer", "tags": "navy, vip", "additional_emails": "g@h.example",
         "owner": alpha.user().pk},
    )  # fmt: skip

    with alpha.active():
        contact = Contact.objects.get(last_name="Hopper")
        assert response.status_code == 302
        assert response["Location"] == f"/contacts/{contact.pk}/"
        assert (contact.company, contact.owner, contact.additional_emails) == (company, alpha.user(), ["g@h.example"])
        assert sorted(tag.name for tag in contact.tags.all()) == ["navy", "vip"]
        assert TimelineEntry.objects.filter(contact=contact, kind="created").count() == 1


def test_a_bad_e_mail_is_refused_on_its_field_and_nothing_is_written(alpha: TenantFixture):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post("/contacts/new/", {"first_name": "Bad", "last_name": "Mail", "email": "not-an-address",
                                              "lifecycle_stage": "lead"})  # fmt: skip

    assert response.status_code == 400
    assert response.context["form"].errors == {"email": ["Enter a valid email address."]}
    assert 'id="id_email-errors"' in response.content.decode()
    assert schema_snapshot(alpha.tenant) == before


def test_a_contact_without_any_name_is_refused_on_the_last_name(alpha: TenantFixture):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post("/contacts/new/", {"first_name": " ", "last_name": "", "lifecycle_stage": "lead"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"last_name": ["A contact needs a first or a last name."]}
    assert schema_snapshot(alpha.tenant) == before


def test_a_company_without_a_name_is_refused_on_the_name_field(alpha: TenantFixture):
    client = alpha.client()
    before = schema_snapshot(alpha.tenant)

    response = client.post("/companies/new/", {"name": "", "lifecycle_stage": "lead"})

    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["This field is required."]
    assert schema_snapshot(alpha.tenant) == before


def test_a_likely_duplicate_is_shown_and_created_only_when_confirmed(alpha: TenantFixture):
    with alpha.active():
        existing = CompanyFactory(name="Globex Corporation", owner=alpha.user())
    client = alpha.client()
    data = {"name": "Globex Corporation", "lifecycle_stage": "lead"}

    warned = client.post("/companies/new/", data)
    with alpha.active():
        assert Company.objects.filter(name="Globex Corporation").count() == 1
    confirmed = client.post("/companies/new/", {**data, "allow_duplicate": "on"})

    assert warned.status_code == 400
    html = warned.content.decode()
    assert f'href="/companies/{existing.pk}/"' in html
    assert 'name="allow_duplicate"' in html
    assert confirmed.status_code == 302
    with alpha.active():
        assert Company.objects.filter(name="Globex Corporation").count() == 2


def test_a_company_is_edited_and_the_change_is_on_its_timeline(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(name="Initech", city="Austin", owner=alpha.user())

    response = alpha.client().post(
        f"/companies/{company.pk}/edit/", {"name": "Initech", "city": "Dallas", "lifecycle_stage": "customer",
                                             "owner": alpha.user().pk, "email": company.email, "country": "us"},
    )  # fmt: skip

    assert response.status_code == 302
    with alpha.active():
        company.refresh_from_db()
        assert (company.city, company.lifecycle_stage, company.country) == ("Dallas", "customer", "US")
        changes = TimelineEntry.objects.get(company=company, kind="updated").data["changes"]
        assert {change["field"]: (change["old"], change["new"]) for change in changes}["city"] == ("Austin", "Dallas")


@pytest.mark.parametrize("path", ["/companies/new/", "/contacts/new/"])
def test_a_read_only_user_cannot_create(alpha: TenantFixture, path: str):
    client = _read_only_client(alpha)
    before = schema_snapshot(alpha.tenant)

    assert client.get(path).status_code == 403
    assert client.post(path, {"name": "X", "last_name": "X", "lifecycle_stage": "lead"}).status_code == 403
    assert schema_snapshot(alpha.tenant) == before


def test_a_read_only_user_reads_but_cannot_edit(alpha: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        contact = ContactFactory(owner=alpha.user())
    client = _read_only_client(alpha)

    assert client.get(f"/companies/{company.pk}/").status_code == 200
    assert client.get(f"/companies/{company.pk}/edit/").status_code == 403
    assert (
        client.post(f"/contacts/{contact.pk}/edit/", {"last_name": "Changed", "lifecycle_stage": "lead"}).status_code
        == 403
    )
    with alpha.active():
        contact.refresh_from_db()
        assert contact.last_name == "Tester"


def test_anonymous_visitors_are_sent_to_sign_in(alpha: TenantFixture):
    response = alpha.client(email=None).get("/contacts/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/contacts/"


def test_another_tenant_cannot_open_or_change_records(alpha: TenantFixture, beta: TenantFixture):
    with alpha.active():
        company = CompanyFactory(owner=alpha.user())
        contact = ContactFactory(owner=alpha.user(), company=company)

    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/companies/{company.pk}/", {}),
            ("get", f"/contacts/{contact.pk}/", {}),
            ("get", f"/companies/{company.pk}/edit/", {}),
            ("post", f"/companies/{company.pk}/edit/", {"name": "Stolen", "lifecycle_stage": "lead"}),
            ("post", f"/contacts/{contact.pk}/edit/", {"last_name": "Stolen", "lifecycle_stage": "lead"}),
            ("post", "/contacts/bulk/", {"action": "delete", "ids": [contact.pk]}),
            ("post", "/companies/bulk/", {"action": "delete", "ids": [company.pk]}),
        ],
    )


def test_contacts_sorted_by_last_update_page_through_every_row_once(alpha: TenantFixture):
    # Update times shuffled against creation order, with ties, so neither an order by id nor a
    # cursor without its tie-breaker passes.
    now = timezone.now()
    with alpha.active():
        contacts = [ContactFactory(owner=alpha.user()) for _index in range(53)]
        updated = {contact.pk: now - timedelta(minutes=(index * 7) % 20) for index, contact in enumerate(contacts)}
        for pk, updated_at in updated.items():
            Contact.objects.filter(pk=pk).update(updated_at=updated_at)
    expected = sorted(updated, key=lambda pk: (updated[pk], pk), reverse=True)
    assert expected != sorted(updated, reverse=True)
    client = alpha.client()

    seen: list[int] = []
    query = "sort=-updated_at"
    for _page in range(10):  # 53 rows are a few pages; a cursor that leads back would go on forever
        html = client.get(f"/contacts/?{query}").content.decode()
        seen += [int(pk) for pk in re.findall(r'name="ids" value="(\d+)"', html)]
        more = re.search(r'href="\?([^"]*after=[^"]*)" rel="next"', html)
        query = more.group(1).replace("&amp;", "&") if more else ""
        if not query:
            break

    assert query == ""
    assert seen == expected


def test_a_tampered_cursor_shows_the_first_page(alpha: TenantFixture):
    with alpha.active():
        first = CompanyFactory(name="Aardvark Co", owner=alpha.user())

    response = alpha.client().get("/companies/?after=not-a-cursor")

    assert response.status_code == 200
    assert f"/companies/{first.pk}/" in response.content.decode()
